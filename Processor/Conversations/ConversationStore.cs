using TwitterBot.Processor.Replies;

namespace TwitterBot.Processor.Conversations;

/// <summary>
/// What the conversation engine must remember across restarts and replicas: for every X event, how far its
/// turn got (the exactly-once ledger), which DMs on X are the bot's sends of which replies, until when each bot
/// account is rate-limited by X, and which bot tokens were revoked or first seen when.
/// </summary>
public interface IConversationStore
{
    /// <summary>
    /// Claims the turn for <paramref name="messageId"/>, records it if it is new, and returns where it stands;
    /// null while another consume holds it. The claim lasts until it is disposed or its process dies, so two
    /// copies of one message in flight at once (a redelivery after a broker connection was lost under a
    /// running consume) never both ask the gateway or both send a reply.
    /// </summary>
    Task<TurnClaim?> ClaimTurnAsync(Guid messageId, string conversationKey, string eventId, CancellationToken cancellationToken);

    /// <summary>Stores the gateway's answer before any reply is sent, so that a restart never asks again.</summary>
    Task SaveAnswerAsync(Guid messageId, PlannedAnswer answer, CancellationToken cancellationToken);

    /// <summary>
    /// Stores the planned welcome (the gateway's answer to <c>START</c>) of a turn that begins a new gateway
    /// session, before the user's text is asked: a retry after the text failed reuses it instead of asking
    /// <c>START</c> again. An empty welcome records that the turn continues its session.
    /// </summary>
    Task SaveWelcomeAsync(Guid messageId, PlannedAnswer welcome, CancellationToken cancellationToken);

    /// <summary>
    /// Marks reply <paramref name="index"/> as being sent, from <paramref name="began"/>: if the process dies now,
    /// its outcome is unknown. Marked right before the request to X, after any pause, upload or rate-limit wait,
    /// so that only a send that began is ever looked up.
    /// </summary>
    Task MarkSendingAsync(Guid messageId, int index, DateTimeOffset began, CancellationToken cancellationToken);

    /// <summary>
    /// Reply <paramref name="index"/> was sent (or must not be sent again); after the last one the turn is
    /// completed when <paramref name="complete"/>. In the same transaction, the DM X holds for it is recorded
    /// when known, so that no later lookup takes that DM for another reply.
    /// </summary>
    Task MarkSentAsync(Guid messageId, int index, int replies, bool complete, SentReply? sent, CancellationToken cancellationToken);

    /// <summary>Which of <paramref name="directMessageIds"/> are recorded as sends of the bot account's replies.</summary>
    Task<IReadOnlySet<string>> RecordedSendsAsync(string botUserId, IReadOnlyCollection<string> directMessageIds, CancellationToken cancellationToken);

    /// <summary>
    /// When this deployment first saw the bot account's token with this fingerprint (recorded as
    /// <paramref name="now"/> the first time): a revoke from before then is about other tokens. The first token
    /// recorded for a bot is <see cref="SeenSinceAlways"/>: there were no other tokens, so no revoke is known to be
    /// older than it (one queued while a first deployment was starting is not dropped).
    /// </summary>
    public static readonly DateTimeOffset SeenSinceAlways = DateTimeOffset.MinValue;

    Task<DateTimeOffset> TokenFirstSeenAsync(string botUserId, string tokenFingerprint, DateTimeOffset now, CancellationToken cancellationToken);

    /// <summary>X answered reply <paramref name="index"/> with an error: it was not sent and may be sent again.</summary>
    Task MarkNotSentAsync(Guid messageId, int index, CancellationToken cancellationToken);

    Task FinishTurnAsync(Guid messageId, TurnState state, string? outcome, CancellationToken cancellationToken);

    /// <summary>When the conversation's latest other turn began, if it had one (for gateway session expiry).</summary>
    Task<DateTimeOffset?> LastTurnStartedAsync(string conversationKey, Guid otherThan, CancellationToken cancellationToken);

    /// <summary>When X's rate limit for the bot account resets, if it is limited.</summary>
    Task<DateTimeOffset?> GetRateLimitResetAsync(string botUserId, CancellationToken cancellationToken);

    Task SetRateLimitResetAsync(string botUserId, DateTimeOffset resetsAt, CancellationToken cancellationToken);

    /// <summary>Records that the bot account's token with this fingerprint was revoked.</summary>
    Task MarkRevokedAsync(string botUserId, string tokenFingerprint, DateTimeOffset revokedAt, CancellationToken cancellationToken);

    /// <summary>The fingerprint of the bot account's revoked token, if one was revoked.</summary>
    Task<string?> RevokedTokenAsync(string botUserId, CancellationToken cancellationToken);

    /// <summary>
    /// Since when X has refused the bot account's token with this fingerprint with 401 (recorded as
    /// <paramref name="now"/> the first time), with no send accepted since.
    /// </summary>
    Task<DateTimeOffset> UnauthorizedSinceAsync(string botUserId, string tokenFingerprint, DateTimeOffset now, CancellationToken cancellationToken);

    /// <summary>X accepted a send of the bot account: its 401s, if any, are over.</summary>
    Task ClearUnauthorizedAsync(string botUserId, CancellationToken cancellationToken);

    /// <summary>Forgets finished turns older than <paramref name="before"/>; returns how many.</summary>
    Task<int> PurgeTurnsAsync(DateTimeOffset before, CancellationToken cancellationToken);
}

/// <summary>A DM X holds as the send of one reply: its id in X's list of the bot's DMs.</summary>
public sealed record SentReply(string BotUserId, string DirectMessageId, DateTimeOffset SentAt);

public enum TurnState
{
    /// <summary>Received; the gateway has not answered (or its answer was not stored).</summary>
    Received = 0,

    /// <summary>The gateway's answer is stored; replies from <see cref="TurnRecord.NextReply"/> on are due.</summary>
    Answered = 1,

    /// <summary>Every reply was sent.</summary>
    Completed = 2,

    /// <summary>X refused a reply for good (e.g. the user does not accept DMs).</summary>
    Rejected = 3,
}

/// <param name="ReplyInFlight">A reply whose send began but whose outcome was never recorded.</param>
/// <param name="ReplyInFlightSince">When that send began.</param>
/// <param name="Welcome">The session decision, once made before the answer: the welcome to send first (empty when the session continues).</param>
public sealed record TurnRecord(
    Guid MessageId,
    TurnState State,
    PlannedAnswer? Answer,
    int NextReply,
    int? ReplyInFlight,
    DateTimeOffset? ReplyInFlightSince = null,
    PlannedAnswer? Welcome = null)
{
    public bool IsFinished => State is TurnState.Completed or TurnState.Rejected;
}

/// <summary>A turn held by one consume until disposed.</summary>
public sealed class TurnClaim(TurnRecord turn, Func<ValueTask> release) : IAsyncDisposable
{
    public TurnRecord Turn { get; } = turn;

    public ValueTask DisposeAsync() => release();
}

/// <summary>Another consume holds the turn of this message: retried, by which time it is finished or its holder gone.</summary>
public sealed class TurnInProgressException(string eventId, string botUserId)
    : Exception($"Event {eventId} for bot {botUserId} is being answered by another consume.");
