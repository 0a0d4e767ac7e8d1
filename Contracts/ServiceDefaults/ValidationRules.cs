using FluentValidation;

namespace TwitterBot.ServiceDefaults;

/// <summary>Rule shorthands whose messages read well after a configuration key.</summary>
public static class ValidationRules
{
    public static IRuleBuilderOptions<T, string?> Required<T>(this IRuleBuilder<T, string?> rule) =>
        rule.NotEmpty().WithMessage("is required.");

    public static IRuleBuilderOptions<T, string?> AbsoluteHttpUrl<T>(this IRuleBuilder<T, string?> rule) =>
        rule.Must(value => Uri.TryCreate(value, UriKind.Absolute, out var uri) && (uri.Scheme == Uri.UriSchemeHttp || uri.Scheme == Uri.UriSchemeHttps))
            .WithMessage("must be an absolute http(s) URL.");

    public static IRuleBuilderOptions<T, string?> NumericId<T>(this IRuleBuilder<T, string?> rule) =>
        rule.Must(value => !string.IsNullOrEmpty(value) && value.Length <= 20 && value.All(char.IsAsciiDigit))
            .WithMessage("must be the account's numeric X user id.");
}
