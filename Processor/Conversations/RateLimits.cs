using System.Collections.Concurrent;

namespace TwitterBot.Processor.Conversations;

/// <summary>
/// X's rate limit per bot account, shared by every replica through the store and read from it at most once a
/// second per bot: a replica may learn of another's 429 up to a second late, gets a 429 of its own at worst,
/// and then waits like the others.
/// </summary>
public sealed class RateLimits(IConversationStore store, TimeProvider time)
{
    public static readonly TimeSpan Freshness = TimeSpan.FromSeconds(1);

    private readonly ConcurrentDictionary<string, (DateTimeOffset CheckedAt, DateTimeOffset? ResetsAt)> _known = new(StringComparer.Ordinal);

    public async Task<DateTimeOffset?> ResetOfAsync(string botUserId, CancellationToken cancellationToken)
    {
        var now = time.GetUtcNow();
        if (!_known.TryGetValue(botUserId, out var known) || now - known.CheckedAt >= Freshness)
        {
            known = (now, await store.GetRateLimitResetAsync(botUserId, cancellationToken));
            _known[botUserId] = known;
        }

        return known.ResetsAt > now ? known.ResetsAt : null;
    }

    public async Task LimitedUntilAsync(string botUserId, DateTimeOffset resetsAt, CancellationToken cancellationToken)
    {
        await store.SetRateLimitResetAsync(botUserId, resetsAt, cancellationToken);
        _known[botUserId] = (time.GetUtcNow(), resetsAt);
    }
}
