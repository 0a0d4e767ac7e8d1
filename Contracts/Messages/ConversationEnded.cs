namespace TwitterBot.Contracts;

/// <summary>The bot ended the conversation (a system command in the gateway's answer to <see cref="EventId"/>).</summary>
public sealed record ConversationEnded
{
    public required string BotUserId { get; init; }

    public required string BotId { get; init; }

    public required string UserId { get; init; }

    /// <summary>The user's X event whose answer ended the conversation.</summary>
    public required string EventId { get; init; }
}
