using System.Collections.Concurrent;

namespace TwitterBot.Processor.Conversations;

/// <summary>The per-bot throttles in this process's memory (<c>Processor:Store:Kind = InMemory</c>): one replica, forgotten on restart.</summary>
public sealed class InMemoryBotThrottles(TimeProvider time) : IBotThrottles
{
    private readonly ConcurrentDictionary<string, DateTimeOffset> _rateLimits = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<string, string> _revoked = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<(string BotUserId, string Fingerprint), DateTimeOffset> _tokensSeen = new();
    private readonly ConcurrentDictionary<(string BotUserId, string Fingerprint), DateTimeOffset> _unauthorized = new();

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

    public Task<DateTimeOffset> TokenFirstSeenAsync(string botUserId, string tokenFingerprint, DateTimeOffset now, CancellationToken cancellationToken) =>
        Task.FromResult(_tokensSeen.GetOrAdd((botUserId, tokenFingerprint),
            _ => _tokensSeen.Keys.Any(k => k.BotUserId == botUserId) ? now : IBotThrottles.SeenSinceAlways));

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
}
