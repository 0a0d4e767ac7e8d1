using System.Collections.Concurrent;
using System.Security.Cryptography;
using System.Text;
using TwitterBot.Processor.Clients.X;

namespace TwitterBot.Processor.Conversations;

/// <summary>
/// Whether a bot account's user token still works. A revoke (X's <c>user_event</c>, or X answering 401 /
/// code 89) is recorded in the shared store with a fingerprint of the token it hit, never the token itself;
/// while the configured token is that one, the bot's conversations end at once instead of failing one send at
/// a time. New tokens in <c>TwitterBot:Bots</c> end the revoke by themselves. Read at most once a second per bot.
/// </summary>
public sealed class BotAccess(IConversationStore store, TimeProvider time)
{
    private static readonly TimeSpan Freshness = TimeSpan.FromSeconds(1);

    private readonly ConcurrentDictionary<string, (DateTimeOffset CheckedAt, string? Fingerprint)> _revoked = new(StringComparer.Ordinal);

    public async Task<bool> IsRevokedAsync(string botUserId, XUserToken token, CancellationToken cancellationToken)
    {
        var now = time.GetUtcNow();
        if (!_revoked.TryGetValue(botUserId, out var known) || now - known.CheckedAt >= Freshness)
        {
            known = (now, await store.RevokedTokenAsync(botUserId, cancellationToken));
            _revoked[botUserId] = known;
        }

        return known.Fingerprint == Fingerprint(token);
    }

    public async Task RevokeAsync(string botUserId, XUserToken token, DateTimeOffset revokedAt, CancellationToken cancellationToken)
    {
        var fingerprint = Fingerprint(token);
        await store.MarkRevokedAsync(botUserId, fingerprint, revokedAt, cancellationToken);
        _revoked[botUserId] = (time.GetUtcNow(), fingerprint);
    }

    private static string Fingerprint(XUserToken token) => Convert.ToHexString(SHA256.HashData(Encoding.UTF8.GetBytes(token.Token)))[..16];
}
