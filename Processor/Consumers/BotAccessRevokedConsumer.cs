using MassTransit;
using TwitterBot.Contracts;
using TwitterBot.Conventions.Accounts;
using TwitterBot.Processor.Clients.X;
using TwitterBot.Processor.Conversations;

namespace TwitterBot.Processor.Consumers;

/// <summary>
/// Records that a bot account's tokens stopped working, so that its conversations end cleanly, and tells the
/// operator what to do.
/// </summary>
public sealed partial class BotAccessRevokedConsumer(BotAccounts bots, BotAccess access, ILogger<BotAccessRevokedConsumer> logger) : IConsumer<BotAccessRevoked>
{
    public async Task Consume(ConsumeContext<BotAccessRevoked> context)
    {
        var revoked = context.Message;
        if (bots.Find(revoked.BotUserId) is { AccessToken: { } token, AccessSecret: { } secret })
        {
            var current = new XUserToken(token, secret);
            if (!await access.RevokeIfCurrentAsync(revoked.BotUserId, current, revoked.RevokedAt, context.CancellationToken))
            {
                LogOlderThanTokens(revoked.BotUserId, revoked.BotId, revoked.RevokedAt, await access.FirstSeenAsync(revoked.BotUserId, current, context.CancellationToken));
                return;
            }
        }

        LogRevoked(revoked.BotUserId, revoked.BotId, revoked.RevokedAt);
    }

    [LoggerMessage(LogLevel.Warning, "X account {BotUserId} (bot {BotId}) revoked this app's access at {RevokedAt}, before its current tokens were first seen here ({FirstSeen}): an old revoke redelivered (Replay, a late retry). The current tokens stay in use.")]
    private partial void LogOlderThanTokens(string botUserId, string botId, DateTimeOffset revokedAt, DateTimeOffset firstSeen);

    [LoggerMessage(LogLevel.Error, "X account {BotUserId} (bot {BotId}) revoked this app's access at {RevokedAt}. Its conversations now end with DirectMessageRejected (no call to the gateway or X) until the account authorizes the app again and its new tokens are set in TwitterBot:Bots (AccessToken, AccessSecret).")]
    private partial void LogRevoked(string botUserId, string botId, DateTimeOffset revokedAt);
}
