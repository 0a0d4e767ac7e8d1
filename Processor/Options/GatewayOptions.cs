using FluentValidation;
using TwitterBot.ServiceDefaults;

namespace TwitterBot.Processor.Options;

/// <summary>The <c>Gateway</c> section (the original's <c>chatbots.gateway-api.url</c>).</summary>
public sealed class GatewayOptions
{
    public const string Section = "Gateway";

    /// <summary>The gateway's base address; requests go to <c>{Url}/gateway</c>.</summary>
    public string? Url { get; set; }
}

public sealed class GatewayOptionsValidator : AbstractValidator<GatewayOptions>
{
    public GatewayOptionsValidator() => RuleFor(o => o.Url).AbsoluteHttpUrl();
}
