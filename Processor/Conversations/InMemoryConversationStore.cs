using System.Collections.Concurrent;
using TwitterBot.Processor.Replies;

namespace TwitterBot.Processor.Conversations;

/// <summary>
/// The conversation store in this process's memory: for a single replica only (every replica would have its
/// own ledger), and forgotten on restart. Chosen explicitly with <c>Processor:Store:Kind = InMemory</c>.
/// </summary>
public sealed class InMemoryConversationStore(TimeProvider time) : IConversationStore
{
    private readonly ConcurrentDictionary<Guid, Turn> _turns = new();
    private readonly ConcurrentDictionary<Guid, byte> _claimed = new();
    private readonly ConcurrentDictionary<string, DateTimeOffset> _rateLimits = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<string, string> _revoked = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<(string BotUserId, string DirectMessageId), DateTimeOffset> _sends = new();
    private readonly ConcurrentDictionary<(string BotUserId, string Fingerprint), DateTimeOffset> _tokensSeen = new();
    private readonly ConcurrentDictionary<(string BotUserId, string Fingerprint), DateTimeOffset> _unauthorized = new();

    public Task<TurnClaim?> ClaimTurnAsync(Guid messageId, string conversationKey, string eventId, CancellationToken cancellationToken)
    {
        if (!_claimed.TryAdd(messageId, 0))
        {
            return Task.FromResult<TurnClaim?>(null);
        }

        var turn = _turns.GetOrAdd(messageId, _ => new Turn(time.GetUtcNow(), conversationKey)).Snapshot(messageId);
        return Task.FromResult<TurnClaim?>(new TurnClaim(turn, () =>
        {
            _claimed.TryRemove(messageId, out _);
            return ValueTask.CompletedTask;
        }));
    }

    public Task<DateTimeOffset?> LastTurnStartedAsync(string conversationKey, Guid otherThan, CancellationToken cancellationToken) =>
        Task.FromResult(_turns.Where(t => t.Key != otherThan && t.Value.ConversationKey == conversationKey)
            .Select(t => (DateTimeOffset?)t.Value.CreatedAt).Max());

    public Task SaveAnswerAsync(Guid messageId, PlannedAnswer answer, CancellationToken cancellationToken) =>
        Update(messageId, turn => turn with
        {
            State = TurnState.Answered,
            Answer = answer,
            NextReply = 0,
            ReplyInFlight = null,
        });

    public Task SaveWelcomeAsync(Guid messageId, PlannedAnswer welcome, CancellationToken cancellationToken) =>
        Update(messageId, turn => turn with { Welcome = welcome });

    public Task MarkSendingAsync(Guid messageId, int index, DateTimeOffset began, CancellationToken cancellationToken) =>
        Update(messageId, turn => turn with { ReplyInFlight = index, ReplyInFlightSince = began });

    public async Task MarkSentAsync(Guid messageId, int index, int replies, bool complete, SentReply? sent, CancellationToken cancellationToken)
    {
        if (sent is not null)
        {
            _sends.TryAdd((sent.BotUserId, sent.DirectMessageId), sent.SentAt);
        }

        await Update(messageId, turn => turn with
        {
            NextReply = index + 1,
            ReplyInFlight = null,
            State = index + 1 >= replies && complete ? TurnState.Completed : turn.State,
        });
    }

    public Task<IReadOnlySet<string>> RecordedSendsAsync(string botUserId, IReadOnlyCollection<string> directMessageIds, CancellationToken cancellationToken) =>
        Task.FromResult<IReadOnlySet<string>>(directMessageIds.Where(id => _sends.ContainsKey((botUserId, id))).ToHashSet(StringComparer.Ordinal));

    public Task<DateTimeOffset> TokenFirstSeenAsync(string botUserId, string tokenFingerprint, DateTimeOffset now, CancellationToken cancellationToken) =>
        Task.FromResult(_tokensSeen.GetOrAdd((botUserId, tokenFingerprint),
            _ => _tokensSeen.Keys.Any(k => k.BotUserId == botUserId) ? now : IConversationStore.SeenSinceAlways));

    public Task MarkNotSentAsync(Guid messageId, int index, CancellationToken cancellationToken) =>
        Update(messageId, turn => turn.ReplyInFlight == index ? turn with { ReplyInFlight = null } : turn);

    public Task FinishTurnAsync(Guid messageId, TurnState state, string? outcome, CancellationToken cancellationToken) =>
        Update(messageId, turn => turn with { State = state, ReplyInFlight = null });

    public Task<DateTimeOffset?> GetRateLimitResetAsync(string botUserId, CancellationToken cancellationToken) =>
        Task.FromResult<DateTimeOffset?>(_rateLimits.TryGetValue(botUserId, out var resetsAt) && resetsAt > time.GetUtcNow() ? resetsAt : null);

    public Task SetRateLimitResetAsync(string botUserId, DateTimeOffset resetsAt, CancellationToken cancellationToken)
    {
        _rateLimits.AddOrUpdate(botUserId, resetsAt, (_, current) => current > resetsAt ? current : resetsAt);
        return Task.CompletedTask;
    }

    public Task MarkRevokedAsync(string botUserId, string tokenFingerprint, DateTimeOffset revokedAt, CancellationToken cancellationToken)
    {
        _revoked[botUserId] = tokenFingerprint;
        return Task.CompletedTask;
    }

    public Task<string?> RevokedTokenAsync(string botUserId, CancellationToken cancellationToken) =>
        Task.FromResult(_revoked.GetValueOrDefault(botUserId));

    public Task<DateTimeOffset> UnauthorizedSinceAsync(string botUserId, string tokenFingerprint, DateTimeOffset now, CancellationToken cancellationToken) =>
        Task.FromResult(_unauthorized.GetOrAdd((botUserId, tokenFingerprint), now));

    public Task ClearUnauthorizedAsync(string botUserId, CancellationToken cancellationToken)
    {
        foreach (var key in _unauthorized.Keys.Where(k => k.BotUserId == botUserId))
        {
            _unauthorized.TryRemove(key, out _);
        }

        return Task.CompletedTask;
    }

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
        foreach (var (id, turn) in _turns)
        {
            if (turn.CreatedAt < before && turn.State is TurnState.Completed or TurnState.Rejected && _turns.TryRemove(id, out _))
            {
                purged++;
            }
        }

        return Task.FromResult(purged);
    }

    private Task Update(Guid messageId, Func<Turn, Turn> change)
    {
        _turns.AddOrUpdate(messageId, _ => throw new InvalidOperationException($"No turn for message {messageId}."), (_, turn) => change(turn));
        return Task.CompletedTask;
    }

    private sealed record Turn(
        DateTimeOffset CreatedAt,
        string ConversationKey,
        TurnState State = TurnState.Received,
        PlannedAnswer? Answer = null,
        int NextReply = 0,
        int? ReplyInFlight = null,
        DateTimeOffset? ReplyInFlightSince = null,
        PlannedAnswer? Welcome = null)
    {
        public TurnRecord Snapshot(Guid messageId) => new(messageId, State, Answer, NextReply, ReplyInFlight, ReplyInFlightSince, Welcome);
    }
}
