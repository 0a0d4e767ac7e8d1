using FluentValidation;

namespace TwitterBot.Processor.Options;

/// <summary>The <c>Processor:Conversations</c> section: how long a conversation saga is remembered.</summary>
public sealed class ConversationOptions
{
    public const string Section = "Processor:Conversations";

    /// <summary>A conversation idle this long is forgotten; its next DM begins a new one (and a new gateway session).</summary>
    public TimeSpan ExpireAfter { get; set; } = TimeSpan.FromDays(30);
}

public sealed class ConversationOptionsValidator : AbstractValidator<ConversationOptions>
{
    public ConversationOptionsValidator() =>
        RuleFor(o => o.ExpireAfter).GreaterThanOrEqualTo(TimeSpan.FromDays(1))
            .WithMessage("must be at least 1.00:00:00, such as 30.00:00:00 (a conversation idle that long is forgotten).");
}
