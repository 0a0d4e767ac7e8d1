namespace TwitterBot.Contracts;

/// <summary>
/// A person sent a Direct Message to one of our bot accounts. Published by the Ingress once per X event
/// and bot account; ids are X's string ids (64-bit snowflakes, never read through a double).
/// </summary>
public sealed record DirectMessageReceived
{
    /// <summary>X's id of the <c>message_create</c> event.</summary>
    public required string EventId { get; init; }

    /// <summary>The numeric X user id of the bot account the message was sent to.</summary>
    public required string BotUserId { get; init; }

    /// <summary>The chatbot platform project mapped to that bot account (the gateway's <c>uuid</c>).</summary>
    public required string BotId { get; init; }

    public required string SenderId { get; init; }

    public string? SenderName { get; init; }

    public string? SenderScreenName { get; init; }

    /// <summary>The DM text: HTML entities unescaped, t.co links replaced by the URLs they stand for, and the
    /// link X appends for an attachment removed (the attachment is in <see cref="Media"/>).</summary>
    public required string Text { get; init; }

    public required DateTimeOffset CreatedAt { get; init; }

    /// <summary>The metadata of the quick-reply option the user picked, when the DM answers one.</summary>
    public string? QuickReplyMetadata { get; init; }

    /// <summary>The expanded URLs the text links to, in order.</summary>
    public IReadOnlyList<string> Urls { get; init; } = [];

    /// <summary>The photo, GIF or video attached to the DM, if any.</summary>
    public DirectMessageMedia? Media { get; init; }

    /// <summary>The Tweet or Welcome Message the conversation was started from, if X reports one.</summary>
    public DirectMessageOrigin? InitiatedVia { get; init; }
}
