namespace TwitterBot.Processor.Conversations;

/// <summary>
/// The exactly-once ledger: for every X event, how far its turn got (a <see cref="TurnRecord"/>, stored whole
/// at each transition), and which DMs on X are the bot's sends of which replies. Shared by every replica on
/// PostgreSQL; <see cref="InMemoryTurnLedger"/> for a single one.
/// </summary>
public interface ITurnLedger
{
    /// <summary>
    /// Claims the turn for <paramref name="messageId"/>, records it if it is new, and returns where it stands;
    /// null while another consume holds it. The claim lasts until it is disposed or its process dies, so two
    /// copies of one message in flight at once (a redelivery after a broker connection was lost under a
    /// running consume) never both ask the gateway or both send a reply.
    /// </summary>
    Task<TurnClaim?> ClaimTurnAsync(Guid messageId, string conversationKey, string eventId, CancellationToken cancellationToken);

    /// <summary>Which of <paramref name="directMessageIds"/> are recorded as sends of the bot account's replies.</summary>
    Task<IReadOnlySet<string>> RecordedSendsAsync(string botUserId, IReadOnlyCollection<string> directMessageIds, CancellationToken cancellationToken);

    /// <summary>
    /// Whether a turn of the conversation has a reply whose send began and whose outcome is not recorded yet: an
    /// echo X delivers meanwhile may be that reply's, before <see cref="RecordedSendsAsync"/> can know it.
    /// </summary>
    Task<bool> IsSendingAsync(string conversationKey, CancellationToken cancellationToken);

    /// <summary>When the conversation's latest other turn began, if it had one (for gateway session expiry).</summary>
    Task<DateTimeOffset?> LastTurnStartedAsync(string conversationKey, Guid otherThan, CancellationToken cancellationToken);

    /// <summary>Forgets finished turns, and recorded sends, older than <paramref name="before"/>; returns how many turns.</summary>
    Task<int> PurgeTurnsAsync(DateTimeOffset before, CancellationToken cancellationToken);
}

/// <summary>
/// A turn held by one consume until disposed. While held, its <see cref="Turn"/> is the truth (no one else may
/// write it), so each step is a transition of it, stored before it is taken as done.
/// </summary>
/// <param name="store">
/// Stores the turn as a transition left it (<c>to</c>), knowing what it was (<c>from</c>), so a store may write only
/// what changed. In the same transaction, the DM X holds for a reply just sent is recorded when known, so that no
/// later lookup takes that DM for another reply; and a <see cref="TurnWriteRider"/> of the store's own kind, if given,
/// rides in the same round trip.
/// </param>
public sealed class TurnClaim(TurnRecord turn, TurnClaim.Store store, Func<ValueTask> release) : IAsyncDisposable
{
    public delegate Task Store(TurnRecord from, TurnRecord to, SentReply? sent, TurnWriteRider? rider, CancellationToken cancellationToken);

    private TurnRecord _stored = turn;
    private SentReply? _stagedSent;

    /// <summary>The turn as its transitions left it, including one staged but not stored yet.</summary>
    public TurnRecord Turn { get; private set; } = turn;

    public Guid MessageId => Turn.MessageId;

    /// <summary>A transition was staged and is not stored yet.</summary>
    public bool HasStaged => !ReferenceEquals(Turn, _stored);

    /// <summary>Moves the turn on by <paramref name="transition"/> (one of <see cref="TurnRecord"/>'s) and stores it, with any staged one.</summary>
    public Task SaveAsync(Func<TurnRecord, TurnRecord> transition, CancellationToken cancellationToken) =>
        SaveAsync(transition, null, cancellationToken);

    /// <summary>As <see cref="SaveAsync(Func{TurnRecord, TurnRecord}, CancellationToken)"/>, recording the DM X holds for the reply sent.</summary>
    public Task SaveAsync(Func<TurnRecord, TurnRecord> transition, SentReply? sent, CancellationToken cancellationToken) =>
        StoreAsync(transition(Turn), sent, null, cancellationToken);

    /// <summary>
    /// Moves the turn on without storing it yet: the next <see cref="SaveAsync(Func{TurnRecord, TurnRecord}, CancellationToken)"/>
    /// stores both in one write. Only for a step whose loss in a crash costs no more than the write it saves
    /// (the caller stores it with <see cref="FlushAsync(CancellationToken)"/> before anything that may wait or fail).
    /// </summary>
    public void Stage(Func<TurnRecord, TurnRecord> transition) => Turn = transition(Turn);

    /// <summary>As <see cref="Stage(Func{TurnRecord, TurnRecord})"/>, for a reply's <c>Sent</c> with the DM X holds for it.</summary>
    public void Stage(Func<TurnRecord, TurnRecord> transition, SentReply? sent)
    {
        Stage(transition);
        _stagedSent = sent ?? _stagedSent;
    }

    /// <summary>Stores a staged transition, if there is one.</summary>
    public Task FlushAsync(CancellationToken cancellationToken) =>
        HasStaged ? StoreAsync(Turn, null, null, cancellationToken) : Task.CompletedTask;

    /// <summary>Stores the staged transition with <paramref name="rider"/> in the same round trip (the store must know the rider's kind).</summary>
    public Task FlushAsync(TurnWriteRider rider, CancellationToken cancellationToken) => StoreAsync(Turn, null, rider, cancellationToken);

    private async Task StoreAsync(TurnRecord next, SentReply? sent, TurnWriteRider? rider, CancellationToken cancellationToken)
    {
        await store(_stored, next, sent ?? _stagedSent, rider, cancellationToken);
        _stored = Turn = next;
        _stagedSent = null;
    }

    public ValueTask DisposeAsync() => release();
}

/// <summary>Another write that rides with a turn's write in its round trip (a store's own kind, e.g. a PostgreSQL statement).</summary>
public abstract class TurnWriteRider;

/// <summary>
/// A turn whose last write waits for the conversation's save, so that both go in one round trip (one commit fewer per
/// DM). One per consume scope: the saga repository takes the turn and writes it with the conversation; whatever
/// nobody took is stored, and its claim released, when the scope ends.
/// </summary>
public sealed class TurnFinishing : IAsyncDisposable
{
    private TurnClaim? _claim;

    /// <summary>Holds <paramref name="claim"/>, its last transition staged, until it is taken or the scope ends.</summary>
    public void Hold(TurnClaim claim)
    {
        if (_claim is not null)
        {
            throw new InvalidOperationException("A consume finishes one turn.");
        }

        _claim = claim;
    }

    /// <summary>The held claim, now the caller's to store and dispose; null when none is held.</summary>
    public TurnClaim? Take() => Interlocked.Exchange(ref _claim, null);

    public ValueTask DisposeAsync() => SettleAsync();

    /// <summary>Stores what a held turn staged and releases its claim (a consume's retry settles the attempt before).</summary>
    public async ValueTask SettleAsync()
    {
        if (Take() is { } claim)
        {
            await using (claim)
            {
                await claim.FlushAsync(CancellationToken.None);
            }
        }
    }
}

/// <summary>Another consume holds the turn of this message: retried, by which time it is finished or its holder gone.</summary>
public sealed class TurnInProgressException(string eventId, string botUserId)
    : Exception($"Event {eventId} for bot {botUserId} is being answered by another consume.");
