using FluentValidation;

namespace TwitterBot.Processor.Options;

/// <summary>
/// The <c>Processor:Pricing</c> section: what X charges per call, in US dollars, for the spend estimate
/// (<c>twitterbot.processor.x.spend</c>). The defaults are X's published pay-per-use rates (docs.x.com,
/// x-api/getting-started/pricing: "DM Interaction: Create" $0.015 per request; x-api/activity/event-pricing:
/// <c>dm.received</c> $0.01 per event). X changes them: the Developer Console has the current ones.
/// </summary>
public sealed class PricingOptions
{
    /// <summary>One DM sent (a request X answered with success).</summary>
    public decimal DirectMessageSend { get; set; } = 0.015m;

    /// <summary>One DM received (the event X delivered and billed).</summary>
    public decimal DirectMessageReceived { get; set; } = 0.01m;
}

public sealed class PricingOptionsValidator : AbstractValidator<PricingOptions>
{
    public PricingOptionsValidator()
    {
        RuleFor(o => o.DirectMessageSend).InclusiveBetween(0m, 10m).WithMessage("must be a price in US dollars between 0 and 10, such as 0.015.");
        RuleFor(o => o.DirectMessageReceived).InclusiveBetween(0m, 10m).WithMessage("must be a price in US dollars between 0 and 10, such as 0.01.");
    }
}
