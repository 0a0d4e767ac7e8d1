using System.Collections.Concurrent;

namespace TwitterBot.Processor.Conversations;

/// <summary>
/// The turn ledger in this process's memory: for a single replica only (every replica would have its own),
/// and forgotten on restart. Chosen with <c>Processor:Store:Kind = InMemory</c>. It keeps the records
/// <see cref="TurnRecord"/>'s transitions give it, so its turns follow the same rules as PostgreSQL's.
/// </summary>
public sealed class InMemoryTurnLedger(TimeProvider time) : ITurnLedger
{
    private readonly ConcurrentDictionary<Guid, Entry> _turns = new();
    private readonly ConcurrentDictionary<Guid, byte> _claimed = new();
    private readonly ConcurrentDictionary<(string BotUserId, string DirectMessageId), DateTimeOffset> _sends = new();

    public Task<TurnClaim?> ClaimTurnAsync(Guid messageId, string conversationKey, string eventId, CancellationToken cancellationToken)
    {
        if (!_claimed.TryAdd(messageId, 0))
        {
            return Task.FromResult<TurnClaim?>(null);
        }

        var entry = _turns.GetOrAdd(messageId, _ => new Entry(time.GetUtcNow(), conversationKey, TurnRecord.Received(messageId)));
        var released = 0;
        void Release()
        {
            // Once: a finished turn is released by its last write, and the claim's dispose must not free a later claim's.
            if (Interlocked.Exchange(ref released, 1) == 0)
            {
                _claimed.TryRemove(messageId, out _);
            }
        }

        return Task.FromResult<TurnClaim?>(new TurnClaim(
            entry.Turn,
            async (from, to, sent, rider, cancellationToken) =>
            {
                if (rider is not null)
                {
                    throw new NotSupportedException($"The in-memory ledger writes no {rider.GetType().Name}.");
                }

                await SaveAsync(to, sent, cancellationToken);
                if (to.IsFinished)
                {
                    Release();
                }
            },
            () =>
            {
                Release();
                return ValueTask.CompletedTask;
            }));
    }

    private Task SaveAsync(TurnRecord turn, SentReply? sent, CancellationToken cancellationToken)
    {
        if (sent is not null)
        {
            _sends.TryAdd((sent.BotUserId, sent.DirectMessageId), sent.SentAt);
        }

        _turns.AddOrUpdate(turn.MessageId, _ => throw new InvalidOperationException($"No turn for message {turn.MessageId}."), (_, entry) => entry with { Turn = turn });
        return Task.CompletedTask;
    }

    public Task<IReadOnlySet<string>> RecordedSendsAsync(string botUserId, IReadOnlyCollection<string> directMessageIds, CancellationToken cancellationToken) =>
        Task.FromResult<IReadOnlySet<string>>(directMessageIds.Where(id => _sends.ContainsKey((botUserId, id))).ToHashSet(StringComparer.Ordinal));

    public Task<bool> IsSendingAsync(string conversationKey, CancellationToken cancellationToken) =>
        Task.FromResult(_turns.Values.Any(t => t.ConversationKey == conversationKey && t.Turn.ReplyInFlight is not null));

    public Task<DateTimeOffset?> LastTurnStartedAsync(string conversationKey, Guid otherThan, CancellationToken cancellationToken) =>
        Task.FromResult(_turns.Where(t => t.Key != otherThan && t.Value.ConversationKey == conversationKey)
            .Select(t => (DateTimeOffset?)t.Value.CreatedAt).Max());

    public Task<int> PurgeTurnsAsync(DateTimeOffset before, CancellationToken cancellationToken)
    {
        foreach (var (send, sentAt) in _sends)
        {
            if (sentAt < before)
            {
                _sends.TryRemove(send, out _);
            }
        }

        var purged = 0;
        foreach (var (id, entry) in _turns)
        {
            if (entry.CreatedAt < before && entry.Turn.IsFinished && _turns.TryRemove(id, out _))
            {
                purged++;
            }
        }

        return Task.FromResult(purged);
    }

    private sealed record Entry(DateTimeOffset CreatedAt, string ConversationKey, TurnRecord Turn);
}
