namespace TwitterBot.Processor.Replies;

/// <summary>
/// What the bot answered to one user message, in no platform's words: its messages in order and what it
/// signalled about the conversation. The gateway client reads its wire format into this; channels plan it
/// into what they can send (<see cref="ReplyPlanner"/> for X).
/// </summary>
public sealed record BotAnswer(IReadOnlyList<BotMessage> Messages, ConversationSignal Signal = ConversationSignal.None)
{
    public static readonly BotAnswer Empty = new([]);
}

/// <summary>What the bot said about the conversation itself (a system command in its answer).</summary>
public enum ConversationSignal
{
    None,
    Ended,
    HandedOver,
}

/// <summary>One bot reaction: its text (possibly empty), the options it offers and the media it attaches.</summary>
public sealed record BotMessage(string Text, IReadOnlyList<BotOption> Options, IReadOnlyList<BotAttachment> Attachments);

/// <param name="Payload">What comes back when the user picks the option.</param>
public sealed record BotOption(string Label, string? Description, string? Payload);

/// <param name="Url">An absolute http(s) URL to fetch the media from.</param>
/// <param name="Type">The bot's own word for it (<c>image</c>, <c>video</c>, …), if it gave one.</param>
public sealed record BotAttachment(string Url, string? Type);
