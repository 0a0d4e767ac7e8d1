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

    /// <summary>
    /// Binds <typeparamref name="TOptions"/> from <paramref name="section"/> of a configuration outside a host
    /// (the command line) and validates it the same way, failing with the same key-naming messages.
    /// </summary>
    /// <exception cref="OptionsValidationException">The section is invalid.</exception>
    public static TOptions GetValidated<TOptions, TValidator>(this Microsoft.Extensions.Configuration.IConfiguration configuration, string section)
        where TOptions : class, new()
        where TValidator : class, IValidator<TOptions>, new()
    {
        var options = Microsoft.Extensions.Configuration.ConfigurationBinder.Get<TOptions>(configuration.GetSection(section)) ?? new TOptions();
        var result = new FluentValidationOptionsAdapter<TOptions>(section, new TValidator()).Validate(Options.DefaultName, options);
        return result.Failed ? throw new OptionsValidationException(section, typeof(TOptions), result.Failures) : options;
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
