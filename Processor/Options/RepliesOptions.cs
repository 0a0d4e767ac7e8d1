using FluentValidation;

namespace TwitterBot.Processor.Options;

/// <summary>The <c>Processor:Replies</c> section: how an answer goes out to X.</summary>
public sealed class RepliesOptions
{
    /// <summary>Show X's typing indicator while the gateway thinks.</summary>
    public bool TypingIndicator { get; set; } = true;

    /// <summary>Mark the user's message as read when the bot starts answering it.</summary>
    public bool MarkRead { get; set; }

    /// <summary>A pause between consecutive replies of one answer.</summary>
    public TimeSpan PauseBetween { get; set; } = TimeSpan.Zero;

    /// <summary>The longest a conversation waits in place for X's rate limit to reset before it retries later.</summary>
    public TimeSpan MaxRateLimitWait { get; set; } = TimeSpan.FromMinutes(15);

    /// <summary>The longest one attachment's download may take (redirects, headers and body); then its link is sent instead.</summary>
    public TimeSpan MediaDownloadTimeout { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>
    /// X API v2 only (its 401s carry no code): how long every send of a bot may be refused with 401, with none
    /// accepted in between, before its token is taken as revoked.
    /// </summary>
    public TimeSpan RevokeAfterUnauthorized { get; set; } = TimeSpan.FromMinutes(10);

    /// <summary>
    /// A reply whose user's DM is older than this when it could finally be sent (after a suspension or a spent
    /// window) is not sent: the turn ends with <c>DirectMessageRejected</c>, reason "too old".
    /// </summary>
    public TimeSpan MaxAge { get; set; } = TimeSpan.FromHours(24);

    /// <summary>While X refuses the app for money (402, usage cap), how often X is asked, without a message (<c>GET /2/users/me</c>), whether it still does.</summary>
    public TimeSpan OutOfCreditsProbeInterval { get; set; } = TimeSpan.FromMinutes(5);
}

public sealed class RepliesOptionsValidator : AbstractValidator<RepliesOptions>
{
    public RepliesOptionsValidator()
    {
        RuleFor(o => o.PauseBetween).InclusiveBetween(TimeSpan.Zero, TimeSpan.FromMinutes(1)).WithMessage("must be between 00:00:00 and 00:01:00.");
        RuleFor(o => o.MaxRateLimitWait).InclusiveBetween(TimeSpan.Zero, TimeSpan.FromMinutes(20))
            .WithMessage("must be between 00:00:00 and 00:20:00 (RabbitMQ closes a channel whose delivery stays unacknowledged for 30 minutes).");
        RuleFor(o => o.MediaDownloadTimeout).InclusiveBetween(TimeSpan.FromMilliseconds(100), TimeSpan.FromMinutes(5))
            .WithMessage("must be between 00:00:00.1 and 00:05:00, such as 00:00:30.");
        RuleFor(o => o.RevokeAfterUnauthorized).InclusiveBetween(TimeSpan.FromMinutes(1), TimeSpan.FromDays(1))
            .WithMessage("must be between 00:01:00 and 1.00:00:00, such as 00:10:00.");
        RuleFor(o => o.MaxAge).InclusiveBetween(TimeSpan.FromMinutes(1), TimeSpan.FromDays(3650))
            .WithMessage("must be between 00:01:00 and 3650.00:00:00, such as 1.00:00:00.");
        RuleFor(o => o.OutOfCreditsProbeInterval).InclusiveBetween(TimeSpan.FromSeconds(1), TimeSpan.FromHours(1))
            .WithMessage("must be between 00:00:01 and 01:00:00, such as 00:05:00.");
    }
}
