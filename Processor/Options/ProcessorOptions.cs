using FluentValidation;
using TwitterBot.ServiceDefaults;

namespace TwitterBot.Processor.Options;

/// <summary>The <c>Processor</c> section: knobs of the conversation engine that the original did not have.</summary>
public sealed class ProcessorOptions
{
    public const string Section = "Processor";

    public ConversationStoreOptions Store { get; set; } = new();

    public RepliesOptions Replies { get; set; } = new();

    public ReconciliationOptions Reconciliation { get; set; } = new();
}

/// <summary>Start-up reconciliation of the X account (webhook and subscriptions).</summary>
public sealed class ReconciliationOptions
{
    /// <summary>Check (and fix) the webhook and subscriptions when the Processor starts.</summary>
    public bool Enabled { get; set; } = true;

    /// <summary>How long to wait for the Ingress to answer a CRC challenge at the public URL before X is asked to send one.</summary>
    public TimeSpan IngressWait { get; set; } = TimeSpan.FromMinutes(2);

    /// <summary>The longest pause between two attempts after a failure X or the network may recover from.</summary>
    public TimeSpan MaxBackoff { get; set; } = TimeSpan.FromMinutes(5);
}

public sealed class ConversationStoreOptions
{
    public const string Postgres = "Postgres";
    public const string InMemory = "InMemory";

    /// <summary><c>Postgres</c> (shared by every replica) or <c>InMemory</c> (one replica only; lost on restart).</summary>
    public string Kind { get; set; } = Postgres;

    public string? ConnectionString { get; set; }

    /// <summary>How long finished turns are remembered; X's Replay re-delivers up to 5 days back.</summary>
    public TimeSpan TurnRetention { get; set; } = TimeSpan.FromDays(6);
}

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
}

public sealed class ProcessorOptionsValidator : AbstractValidator<ProcessorOptions>
{
    public ProcessorOptionsValidator()
    {
        RuleFor(o => o.Store.Kind).Must(kind => kind is ConversationStoreOptions.Postgres or ConversationStoreOptions.InMemory)
            .WithMessage($"must be {ConversationStoreOptions.Postgres} or {ConversationStoreOptions.InMemory}.");
        RuleFor(o => o.Store.ConnectionString).Required().When(o => o.Store.Kind == ConversationStoreOptions.Postgres);
        RuleFor(o => o.Store.TurnRetention).GreaterThanOrEqualTo(TimeSpan.FromDays(5))
            .WithMessage("must be at least 5 days: X's Replay re-delivers events up to 5 days old.");
        RuleFor(o => o.Replies.PauseBetween).InclusiveBetween(TimeSpan.Zero, TimeSpan.FromMinutes(1)).WithMessage("must be between 00:00:00 and 00:01:00.");
        RuleFor(o => o.Replies.MaxRateLimitWait).InclusiveBetween(TimeSpan.Zero, TimeSpan.FromMinutes(20))
            .WithMessage("must be between 00:00:00 and 00:20:00 (RabbitMQ closes a channel whose delivery stays unacknowledged for 30 minutes).");
        RuleFor(o => o.Replies.MediaDownloadTimeout).InclusiveBetween(TimeSpan.FromMilliseconds(100), TimeSpan.FromMinutes(5))
            .WithMessage("must be between 00:00:00.1 and 00:05:00, such as 00:00:30.");
        RuleFor(o => o.Replies.RevokeAfterUnauthorized).InclusiveBetween(TimeSpan.FromMinutes(1), TimeSpan.FromDays(1))
            .WithMessage("must be between 00:01:00 and 1.00:00:00, such as 00:10:00.");
        RuleFor(o => o.Reconciliation.IngressWait).GreaterThan(TimeSpan.Zero).WithMessage("must be a positive duration such as 00:02:00.");
        RuleFor(o => o.Reconciliation.MaxBackoff).GreaterThanOrEqualTo(TimeSpan.FromSeconds(1)).WithMessage("must be at least 00:00:01.");
    }
}
