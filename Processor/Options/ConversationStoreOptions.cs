using FluentValidation;
using TwitterBot.ServiceDefaults;

namespace TwitterBot.Processor.Options;

/// <summary>The <c>Processor:Store</c> section: where turns and conversations are kept.</summary>
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

public sealed class ConversationStoreOptionsValidator : AbstractValidator<ConversationStoreOptions>
{
    public ConversationStoreOptionsValidator()
    {
        RuleFor(o => o.Kind).Must(kind => kind is ConversationStoreOptions.Postgres or ConversationStoreOptions.InMemory)
            .WithMessage($"must be {ConversationStoreOptions.Postgres} or {ConversationStoreOptions.InMemory}.");
        RuleFor(o => o.ConnectionString).Required().When(o => o.Kind == ConversationStoreOptions.Postgres);
        RuleFor(o => o.TurnRetention).GreaterThanOrEqualTo(TimeSpan.FromDays(5))
            .WithMessage("must be at least 5 days: X's Replay re-delivers events up to 5 days old.");
    }
}
