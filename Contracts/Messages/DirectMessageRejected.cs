namespace TwitterBot.Contracts;

/// <summary>
/// X refused, for good, a reply the bot was sending (e.g. the user does not accept DMs from the account).
/// The reply is not retried; replies after it in the same answer are not sent either.
/// </summary>
public sealed record DirectMessageRejected
{
    /// <summary>The user's X event the reply answered.</summary>
    public required string EventId { get; init; }

    public required string BotUserId { get; init; }

    public required string BotId { get; init; }

    public required string RecipientId { get; init; }

    /// <summary>Which reply of the answer was refused (0-based).</summary>
    public required int ReplyIndex { get; init; }

    public required int HttpStatus { get; init; }

    /// <summary>X's error code, e.g. 349 "You cannot send messages to this user".</summary>
    public int? ErrorCode { get; init; }

    public required string Reason { get; init; }
}
