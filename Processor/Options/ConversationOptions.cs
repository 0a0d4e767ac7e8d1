using FluentValidation;

namespace TwitterBot.Processor.Options;

/// <summary>The <c>Processor:Conversations</c> section: how long a conversation saga is remembered, and how long a human holds it.</summary>
public sealed class ConversationOptions
{
    public const string Section = "Processor:Conversations";

    /// <summary>A conversation idle this long is forgotten; its next DM begins a new one (and a new gateway session).</summary>
    public TimeSpan ExpireAfter { get; set; } = TimeSpan.FromDays(30);

    /// <summary>
    /// When a person at the brand answers a user from the X app, the bot leaves that conversation to them this long
    /// after their latest DM (each one extends it); <c>00:00:00</c> turns the human pause off.
    /// </summary>
    public TimeSpan HumanPause { get; set; } = TimeSpan.FromMinutes(30);

    public bool PausesForHumans => HumanPause > TimeSpan.Zero;
}

public sealed class ConversationOptionsValidator : AbstractValidator<ConversationOptions>
{
    public ConversationOptionsValidator()
    {
        RuleFor(o => o.ExpireAfter).GreaterThanOrEqualTo(TimeSpan.FromDays(1))
            .WithMessage("must be at least 1.00:00:00, such as 30.00:00:00 (a conversation idle that long is forgotten).");

        // A pause as long as the conversation is remembered would outlive its saga: the bot would answer again unannounced.
        RuleFor(o => o.HumanPause).GreaterThanOrEqualTo(TimeSpan.Zero).LessThan(o => o.ExpireAfter)
            .WithMessage("must be 00:00:00 (off) or a duration shorter than Processor:Conversations:ExpireAfter, such as 00:30:00 (the bot leaves a conversation a person at the brand answered from the X app to them that long).");
    }
}
