using FluentValidation;

namespace TwitterBot.Ingress.Admission;

/// <summary>
/// How many webhook POSTs the Ingress takes on at once (<c>Ingress:Admission</c>). Past these bounds a POST is
/// answered 503 with <c>Retry-After</c> at once, before its body is read, instead of waiting in a queue
/// until X's 3 s deadline has passed. CRC challenges and health probes are never limited.
/// </summary>
public sealed class AdmissionOptions
{
    /// <summary>POSTs handled at once: body read, signature, parse, publish and confirm.</summary>
    public int MaxConcurrentRequests { get; set; } = 512;

    /// <summary>POSTs that may wait for a free slot; beyond this, 503 at once.</summary>
    public int QueueLimit { get; set; } = 512;

    /// <summary>The longest a POST waits for a slot before it is answered 503.</summary>
    public TimeSpan QueueTimeout { get; set; } = TimeSpan.FromMilliseconds(250);

    /// <summary>
    /// Publishes whose POST was already answered 503 (no confirm within <c>Ingress:PublishTimeout</c>) and
    /// that the broker still owes a confirm. At this many, the broker is behind: new POSTs get 503 at once
    /// rather than adding publishes it cannot confirm in time.
    /// </summary>
    public int MaxOverduePublishes { get; set; } = 512;

    /// <summary>Sent as <c>Retry-After</c> (whole seconds) with every 503.</summary>
    public TimeSpan RetryAfter { get; set; } = TimeSpan.FromSeconds(1);
}

public sealed class AdmissionOptionsValidator : AbstractValidator<AdmissionOptions>
{
    public AdmissionOptionsValidator()
    {
        RuleFor(o => o.MaxConcurrentRequests).InclusiveBetween(1, 100_000)
            .WithMessage("must be between 1 and 100000 POSTs handled at once.");
        RuleFor(o => o.QueueLimit).InclusiveBetween(0, 100_000)
            .WithMessage("must be between 0 and 100000 waiting POSTs.");
        RuleFor(o => o.QueueTimeout).InclusiveBetween(TimeSpan.Zero, TimeSpan.FromSeconds(1))
            .WithMessage("must leave the POST most of X's 3 s answer budget: between 00:00:00 and 00:00:01.");
        RuleFor(o => o.MaxOverduePublishes).InclusiveBetween(1, Webhooks.ConfirmedPublisher.MaxRemembered)
            .WithMessage($"must be between 1 and {Webhooks.ConfirmedPublisher.MaxRemembered}.");
        RuleFor(o => o.RetryAfter).Must(t => t >= TimeSpan.FromSeconds(1) && t <= TimeSpan.FromMinutes(5) && t.Ticks % TimeSpan.TicksPerSecond == 0)
            .WithMessage("must be whole seconds between 00:00:01 and 00:05:00 (it is sent as Retry-After in seconds).");
    }
}
