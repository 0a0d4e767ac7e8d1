using System.Collections.Concurrent;
using TwitterBot.Processor.Clients.X;

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

    private readonly Lock _suspension = new();
    private readonly ConcurrentDictionary<(string BotUserId, string Window), KnownQuota> _quota = new();
    private AppSuspension? _suspended;

    public Task<AppSuspension?> SuspensionAsync(CancellationToken cancellationToken)
    {
        lock (_suspension)
        {
            return Task.FromResult(_suspended);
        }
    }

    public Task<bool> SuspendAsync(string reason, DateTimeOffset since, DateTimeOffset firstProbeAt, CancellationToken cancellationToken)
    {
        lock (_suspension)
        {
            if (_suspended is not null)
            {
                return Task.FromResult(false);
            }

            _suspended = new AppSuspension(reason, since, firstProbeAt);
            return Task.FromResult(true);
        }
    }

    public Task<bool> ClaimProbeAsync(DateTimeOffset now, DateTimeOffset nextProbeAt, CancellationToken cancellationToken)
    {
        lock (_suspension)
        {
            if (_suspended is not { } suspended || suspended.NextProbeAt > now)
            {
                return Task.FromResult(false);
            }

            _suspended = suspended with { NextProbeAt = nextProbeAt };
            return Task.FromResult(true);
        }
    }

    public Task<bool> ResumeAsync(CancellationToken cancellationToken)
    {
        lock (_suspension)
        {
            var ended = _suspended is not null;
            _suspended = null;
            return Task.FromResult(ended);
        }
    }

    public Task RecordQuotaAsync(string botUserId, IReadOnlyList<XQuotaWindow> windows, DateTimeOffset observedAt, CancellationToken cancellationToken)
    {
        foreach (var window in windows)
        {
            _quota[(botUserId, window.Name)] = new KnownQuota(botUserId, window.Name, window.Limit, window.Remaining, window.ResetsAt, observedAt);
        }

        return Task.CompletedTask;
    }

    public Task<IReadOnlyList<KnownQuota>> KnownQuotaAsync(CancellationToken cancellationToken) =>
        Task.FromResult<IReadOnlyList<KnownQuota>>([.. _quota.Values.OrderBy(q => q.BotUserId, StringComparer.Ordinal).ThenBy(q => q.Window, StringComparer.Ordinal)]);
}
