using MassTransit;
using TwitterBot.Contracts;
using TwitterBot.Processor.Clients.X;
using TwitterBot.Processor.Conversations;
using TwitterBot.ServiceDefaults;

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
            await access.RevokeAsync(revoked.BotUserId, new XUserToken(token, secret), revoked.RevokedAt, context.CancellationToken);
        }

        LogRevoked(revoked.BotUserId, revoked.BotId, revoked.RevokedAt);
    }

    [LoggerMessage(LogLevel.Error, "X account {BotUserId} (bot {BotId}) revoked this app's access at {RevokedAt}. Its conversations now end with DirectMessageRejected (no call to the gateway or X) until the account authorizes the app again and its new tokens are set in TwitterBot:Bots (AccessToken, AccessSecret).")]
    private partial void LogRevoked(string botUserId, string botId, DateTimeOffset revokedAt);
}
