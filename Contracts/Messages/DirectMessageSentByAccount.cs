namespace TwitterBot.Contracts;

/// <summary>
/// A bot account sent a Direct Message (X's echo: Account Activity's <c>message_create</c> from the account,
/// X Activity's <c>dm.sent</c>), whether the bot sent it or a person at the brand wrote it in the X app.
/// Routed with the user's own DMs (the same conversation partition), so it is ordered with them. It never
/// carries the text.
/// </summary>
public sealed record DirectMessageSentByAccount
{
    /// <summary>X's id of the event (the DM's id).</summary>
    public required string EventId { get; init; }

    /// <summary>The id X gave the DM: what the turn ledger records for the bot's own sends.</summary>
    public required string DirectMessageId { get; init; }

    public required string BotUserId { get; init; }

    /// <summary>The chatbot platform project mapped to that bot account (the gateway's <c>uuid</c>).</summary>
    public required string BotId { get; init; }

    /// <summary>The X user the DM was sent to.</summary>
    public required string UserId { get; init; }

    public required DateTimeOffset CreatedAt { get; init; }
}
