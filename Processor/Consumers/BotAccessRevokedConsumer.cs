using MassTransit;
using TwitterBot.Contracts;

namespace TwitterBot.Processor.Consumers;

/// <summary>Tells the operator, once per revoke, that a bot account's tokens stopped working and what to do.</summary>
public sealed partial class BotAccessRevokedConsumer(ILogger<BotAccessRevokedConsumer> logger) : IConsumer<BotAccessRevoked>
{
    public Task Consume(ConsumeContext<BotAccessRevoked> context)
    {
        var revoked = context.Message;
        LogRevoked(revoked.BotUserId, revoked.BotId, revoked.RevokedAt);
        return Task.CompletedTask;
    }

    [LoggerMessage(LogLevel.Error, "X account {BotUserId} (bot {BotId}) revoked this app's access at {RevokedAt}. Its replies fail until the account authorizes the app again and its new tokens are set in TwitterBot:Bots (AccessToken, AccessSecret).")]
    private partial void LogRevoked(string botUserId, string botId, DateTimeOffset revokedAt);
}
