namespace TwitterBot.Contracts;

/// <summary>
/// The bot handed the conversation over to a human agent (its flow reached a <c>redirect</c> to
/// <c>agent</c>): whoever staffs the account should take it from here.
/// </summary>
public sealed record ConversationHandedOver
{
    public required string BotUserId { get; init; }

    public required string BotId { get; init; }

    public required string UserId { get; init; }

    /// <summary>The user's X event whose answer handed the conversation over.</summary>
    public required string EventId { get; init; }
}
