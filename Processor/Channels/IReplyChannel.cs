using TwitterBot.Processor.Clients.X;
using TwitterBot.Processor.Replies;

namespace TwitterBot.Processor.Channels;

/// <summary>
/// Where a conversation's replies go out: X's DMs through API v1.1 or v2 (one chosen at
/// registration, <c>TwitterBot:Api:Version</c>), or XChat for a turn that came in over XChat; each owns its client, how a reply is rendered within its limits, and
/// how a reply whose send was lost is found again. The turn decides when; the channel only does the I/O.
/// </summary>
public interface IReplyChannel
{
    /// <summary>
    /// Whether the channel's refusals tell a revoked token by a code of their own (X v1.1: 89). When they do not
    /// (X v2's 401s carry no code), only a refusal that persists revokes (<c>Processor:Replies:RevokeAfterUnauthorized</c>).
    /// </summary>
    bool ErrorsNameRevocation { get; }

    /// <summary>
    /// Makes <paramref name="reply"/> ready to send: its media attached (fetched and uploaded), or its link put in
    /// the text when that fails. Done before the send is marked, so a crash here only repeats an upload no user sees.
    /// </summary>
    Task<OutgoingReply> PrepareAsync(ReplyAddress address, PlannedReply reply, string eventId, CancellationToken cancellationToken);

    /// <summary>Sends one reply and returns the id the channel gave it (null if its answer did not carry one).</summary>
    /// <exception cref="XApiException">Refused: not sent, unless <see cref="XApiException.OutcomeUnknown"/> (a 5xx).</exception>
    /// <exception cref="XOutcomeUnknownException">No answer: the reply may or may not have been sent.</exception>
    /// <exception cref="HttpRequestException">Not reached (<see cref="HttpRequestError.ConnectionError"/>): nothing was sent.</exception>
    Task<string?> SendAsync(ReplyAddress address, OutgoingReply reply, CancellationToken cancellationToken);

    /// <summary>
    /// The ids of the messages the bot sent to the user since <paramref name="since"/> (ours) that are exactly
    /// <paramref name="reply"/> as it could have gone out (with its media, or with its link instead), oldest first.
    /// The caller discards ids already recorded as other sends.
    /// </summary>
    /// <exception cref="ReplyLookupUndecidedException">The channel could not be read far enough back to tell.</exception>
    Task<IReadOnlyList<string>> FindSentAsync(ReplyAddress address, PlannedReply reply, DateTimeOffset since, CancellationToken cancellationToken);

    /// <summary>Marks the conversation read up to <paramref name="eventId"/>, where the channel has read receipts.</summary>
    Task MarkReadAsync(ReplyAddress address, string eventId, CancellationToken cancellationToken);

    /// <summary>Shows the user that the bot is typing, where the channel can.</summary>
    Task IndicateTypingAsync(ReplyAddress address, CancellationToken cancellationToken);
}

/// <summary>One conversation on a channel: the bot account (and the token it acts with) and the user.</summary>
public sealed record ReplyAddress(XUserToken Bot, string BotUserId, string UserId)
{
    /// <summary>Which reply of the turn a send or lookup is about (XChat derives the reply's message id from it).</summary>
    public int ReplyIndex { get; init; }
}

/// <summary>A reply ready to go out.</summary>
/// <param name="Text">The reply's text, or its text with the link when the media could not be attached.</param>
/// <param name="MediaId">The uploaded media to attach, if any.</param>
public sealed record OutgoingReply(PlannedReply Planned, string Text, string? MediaId);
