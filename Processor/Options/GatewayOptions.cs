using FluentValidation;
using TwitterBot.ServiceDefaults;

namespace TwitterBot.Processor.Options;

/// <summary>
/// The <c>Gateway</c> section: everything that configures the chatbot platform's gateway (the original's
/// <c>chatbots.gateway-api.url</c>). Older keys are still read where the new one is unset (<see cref="BindOlderKeys"/>).
/// </summary>
public sealed class GatewayOptions
{
    public const string Section = "Gateway";

    /// <summary>The gateway's base address; requests go to <c>{Url}/gateway</c>.</summary>
    public string? Url { get; set; }

    /// <summary>How long one gateway call may take (the seed's <c>TwitterBot:WebhooksMessaging:MessageTimeout</c>).</summary>
    public TimeSpan Timeout { get; set; } = TimeSpan.FromSeconds(15);

    /// <summary>Send <c>START</c> first when a conversation begins a new gateway session (the bot's welcome).</summary>
    public bool SendStartOnNewSession { get; set; }

    /// <summary>The gateway forgets a session after this long without messages.</summary>
    public TimeSpan SessionTimeout { get; set; } = TimeSpan.FromHours(1);

    public const string OlderTimeoutKey = "TwitterBot:WebhooksMessaging:MessageTimeout";
    public const string OlderSessionSection = "Processor:Gateway";

    /// <summary>
    /// Reads where these settings used to live: <see cref="OlderTimeoutKey"/> (the seed's) and
    /// <c>Processor:Gateway:SendStartOnNewSession</c> / <c>SessionTimeout</c>. Runs before the <c>Gateway</c>
    /// section is bound, so the newer key wins when both are set.
    /// </summary>
    public static void BindOlderKeys(GatewayOptions options, IConfiguration configuration)
    {
        if (configuration[OlderTimeoutKey] is not null)
        {
            options.Timeout = configuration.GetValue<TimeSpan>(OlderTimeoutKey);
        }

        var sessions = configuration.GetSection(OlderSessionSection);
        if (sessions[nameof(SendStartOnNewSession)] is not null)
        {
            options.SendStartOnNewSession = sessions.GetValue<bool>(nameof(SendStartOnNewSession));
        }

        if (sessions[nameof(SessionTimeout)] is not null)
        {
            options.SessionTimeout = sessions.GetValue<TimeSpan>(nameof(SessionTimeout));
        }
    }
}

public sealed class GatewayOptionsValidator : AbstractValidator<GatewayOptions>
{
    public GatewayOptionsValidator()
    {
        RuleFor(o => o.Url).AbsoluteHttpUrl();
        RuleFor(o => o.Timeout).GreaterThan(TimeSpan.Zero)
            .WithMessage("must be a positive duration such as 00:00:15 (TwitterBot:WebhooksMessaging:MessageTimeout is read when it is unset).");
        RuleFor(o => o.SessionTimeout).GreaterThan(TimeSpan.Zero)
            .WithMessage("must be a positive duration such as 01:00:00 (Processor:Gateway:SessionTimeout is read when it is unset).");
    }
}

public static class GatewayOptionsRegistration
{
    /// <summary>Binds and validates <see cref="GatewayOptions"/>: the older keys first, then the <c>Gateway</c> section over them.</summary>
    public static IServiceCollection AddGatewayOptions(this IServiceCollection services)
    {
        services.AddOptions<GatewayOptions>().Configure<IConfiguration>(GatewayOptions.BindOlderKeys);
        services.AddValidatedOptions<GatewayOptions, GatewayOptionsValidator>(GatewayOptions.Section);
        return services;
    }
}
