using FluentValidation;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;

namespace TwitterBot.ServiceDefaults;

public static class FluentValidationOptions
{
    /// <summary>
    /// Binds <typeparamref name="TOptions"/> to <paramref name="section"/> and validates it with
    /// <typeparamref name="TValidator"/> when the host starts, so a bad configuration stops the service
    /// with messages that name the configuration keys (e.g. <c>TwitterBot:Auth:ConsumerSecret</c>).
    /// </summary>
    public static OptionsBuilder<TOptions> AddValidatedOptions<TOptions, TValidator>(
        this IServiceCollection services, string section)
        where TOptions : class
        where TValidator : class, IValidator<TOptions>, new()
    {
        services.AddSingleton<IValidateOptions<TOptions>>(
            new FluentValidationOptionsAdapter<TOptions>(section, new TValidator()));
        return services.AddOptions<TOptions>().BindConfiguration(section).ValidateOnStart();
    }
}

internal sealed class FluentValidationOptionsAdapter<TOptions>(string section, IValidator<TOptions> validator)
    : IValidateOptions<TOptions> where TOptions : class
{
    public ValidateOptionsResult Validate(string? name, TOptions options)
    {
        var result = validator.Validate(options);
        if (result.IsValid)
        {
            return ValidateOptionsResult.Success;
        }

        return ValidateOptionsResult.Fail(result.Errors.Select(e => $"{ConfigurationKey(e.PropertyName)} {e.ErrorMessage}"));
    }

    /// <summary><c>Bots[0].UserId</c> under section <c>TwitterBot</c> becomes <c>TwitterBot:Bots:0:UserId</c>.</summary>
    private string ConfigurationKey(string propertyPath)
    {
        var path = propertyPath.Replace("].", ":", StringComparison.Ordinal)
            .Replace('[', ':').Replace(']', ':').Replace('.', ':').TrimEnd(':');
        return path.Length == 0 ? section : $"{section}:{path}";
    }
}
