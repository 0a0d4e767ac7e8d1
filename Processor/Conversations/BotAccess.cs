using System.Collections.Concurrent;
using System.Security.Cryptography;
using System.Text;
using Microsoft.Extensions.Options;
using TwitterBot.Conventions.Accounts;
using TwitterBot.Processor.Clients.X;
using TwitterBot.Processor.Options;
using TwitterBot.ServiceDefaults;

namespace TwitterBot.Processor.Conversations;

/// <summary>
/// Whether a bot account's user token still works. A revoke (X's <c>user_event</c>, X v1.1 answering code 89, or
/// X v2 refusing every send of the bot with 401 for <c>Processor:Replies:RevokeAfterUnauthorized</c>) is
/// recorded in the shared store with a fingerprint of the token it hit, never the token itself; while the
/// configured token is that one, the bot's conversations end at once instead of failing one send at a time.
/// New tokens in <c>TwitterBot:Bots</c> end the revoke by themselves, and a revoke event from before this
/// deployment first saw the current token (Replay and late retries bring old ones back) leaves it alone.
/// Read at most once a second per bot.
/// </summary>
public sealed class BotAccess(IBotThrottles store, IOptions<ProcessorOptions> options, TimeProvider time)
{
    private static readonly TimeSpan Freshness = TimeSpan.FromSeconds(1);

    private readonly ReadThroughCache<string, string?> _revoked = new(Freshness, time);
    private readonly ConcurrentDictionary<string, int?> _failingAuthentication = new(StringComparer.Ordinal);

    public async Task<bool> IsRevokedAsync(string botUserId, XUserToken token, CancellationToken cancellationToken) =>
        await _revoked.GetAsync(botUserId, store.RevokedTokenAsync, cancellationToken) == Fingerprint(token);

    /// <summary>X said the token is invalid or expired (code 89): it is revoked, whatever its age.</summary>
    public async Task RevokeAsync(string botUserId, XUserToken token, DateTimeOffset revokedAt, CancellationToken cancellationToken)
    {
        var fingerprint = Fingerprint(token);
        await store.MarkRevokedAsync(botUserId, fingerprint, revokedAt, cancellationToken);
        _revoked.Set(botUserId, fingerprint);
    }

    /// <summary>
    /// X's revoke event: revokes the configured token unless the event is older than when this deployment
    /// first saw that token, in which case it was about tokens replaced since. False when ignored.
    /// </summary>
    public async Task<bool> RevokeIfCurrentAsync(string botUserId, XUserToken token, DateTimeOffset revokedAt, CancellationToken cancellationToken)
    {
        if (revokedAt < await FirstSeenAsync(botUserId, token, cancellationToken))
        {
            return false;
        }

        await RevokeAsync(botUserId, token, revokedAt, cancellationToken);
        return true;
    }

    /// <summary>When this deployment first saw the token (now, the first time it is asked; since always for the bot's first token).</summary>
    public Task<DateTimeOffset> FirstSeenAsync(string botUserId, XUserToken token, CancellationToken cancellationToken) =>
        store.TokenFirstSeenAsync(botUserId, Fingerprint(token), time.GetUtcNow(), cancellationToken);

    /// <summary>
    /// X refused a send of the bot with a 401 that proves nothing by itself. On X API v2, when every send has been
    /// refused so since longer than <c>Processor:Replies:RevokeAfterUnauthorized</c> (told by the shared store, across
    /// replicas), the token is revoked now: returns since when it was refused. Otherwise null (retried).
    /// </summary>
    /// <param name="errorsNameRevocation">The channel's refusals tell a revoked token by a code of their own (<see cref="Channels.IReplyChannel.ErrorsNameRevocation"/>): then only that code revokes.</param>
    public async Task<DateTimeOffset?> RefusedAsync(string botUserId, XUserToken token, bool errorsNameRevocation, CancellationToken cancellationToken)
    {
        if (errorsNameRevocation)
        {
            return null;
        }

        var now = time.GetUtcNow();
        var since = await store.UnauthorizedSinceAsync(botUserId, Fingerprint(token), now, cancellationToken);
        if (now - since < options.Value.Replies.RevokeAfterUnauthorized)
        {
            return null;
        }

        await RevokeAsync(botUserId, token, now, cancellationToken);
        return since;
    }

    /// <summary>X accepted a send of the bot: on v2, a run of 401s starts over (every replica sees it).</summary>
    public Task AcceptedAsync(string botUserId, bool errorsNameRevocation, CancellationToken cancellationToken) =>
        errorsNameRevocation ? Task.CompletedTask : store.ClearUnauthorizedAsync(botUserId, cancellationToken);

    /// <summary>X refused the bot's credentials without revoking them (401 other than 89); true the first time in a row, to tell the operator once.</summary>
    public bool AuthenticationFailed(string botUserId, int? code) => _failingAuthentication.TryAdd(botUserId, code);

    /// <summary>X accepted the bot's credentials again; true when they had been failing.</summary>
    public bool AuthenticationWorks(string botUserId) => !_failingAuthentication.IsEmpty && _failingAuthentication.TryRemove(botUserId, out _);

    private static string Fingerprint(XUserToken token) => Convert.ToHexString(SHA256.HashData(Encoding.UTF8.GetBytes(token.Token)))[..16];
}

/// <summary>
/// Records, before the bus consumes, when this deployment first saw each configured bot token, so that a revoke
/// event that predates the token (redelivered by Replay days later) is recognised as old.
/// </summary>
public sealed class BotTokensFirstSeen(IOptions<TwitterBotOptions> options, BotAccess access) : IBeforeBusStart
{
    public string Server => IBeforeBusStart.ConversationStore;

    public async Task RunAsync(CancellationToken cancellationToken)
    {
        foreach (var bot in options.Value.Bots)
        {
            if (bot is { UserId: { } userId, AccessToken: { } token, AccessSecret: { } secret })
            {
                await access.FirstSeenAsync(userId, new XUserToken(token, secret), cancellationToken);
            }
        }
    }
}
