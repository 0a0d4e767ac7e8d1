using FluentValidation;

namespace TwitterBot.Processor.Options;

/// <summary>The <c>Processor:Reconciliation</c> section: start-up reconciliation of the X account (webhook and subscriptions).</summary>
public sealed class ReconciliationOptions
{
    /// <summary>Check (and fix) the webhook and subscriptions when the Processor starts.</summary>
    public bool Enabled { get; set; } = true;

    /// <summary>How long to wait for the Ingress to answer a CRC challenge at the public URL before X is asked to send one.</summary>
    public TimeSpan IngressWait { get; set; } = TimeSpan.FromMinutes(2);

    /// <summary>The longest pause between two attempts after a failure X or the network may recover from.</summary>
    public TimeSpan MaxBackoff { get; set; } = TimeSpan.FromMinutes(5);
}

public sealed class ReconciliationOptionsValidator : AbstractValidator<ReconciliationOptions>
{
    public ReconciliationOptionsValidator()
    {
        RuleFor(o => o.IngressWait).GreaterThan(TimeSpan.Zero).WithMessage("must be a positive duration such as 00:02:00.");
        RuleFor(o => o.MaxBackoff).GreaterThanOrEqualTo(TimeSpan.FromSeconds(1)).WithMessage("must be at least 00:00:01.");
    }
}
