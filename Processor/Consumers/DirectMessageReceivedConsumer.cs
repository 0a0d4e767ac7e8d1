using MassTransit;
using TwitterBot.Contracts;
using TwitterBot.Processor.Clients.Gateway;
using TwitterBot.Processor.Clients.X;
using TwitterBot.ServiceDefaults;

namespace TwitterBot.Processor.Consumers;

/// <summary>Asks the gateway what the bot answers to a user's DM and sends each answer back as a DM.</summary>
public sealed partial class DirectMessageReceivedConsumer(
    BotAccounts bots,
    GatewayClient gateway,
    XDirectMessageClient directMessages,
    ILogger<DirectMessageReceivedConsumer> logger) : IConsumer<DirectMessageReceived>
{
    public async Task Consume(ConsumeContext<DirectMessageReceived> context)
    {
        var message = context.Message;
        var bot = bots.Find(message.BotUserId)
            ?? throw new InvalidOperationException($"No bot account with UserId {message.BotUserId} is configured (TwitterBot:Bots).");
        var token = new XUserToken(bot.AccessToken!, bot.AccessSecret!);

        var answer = await gateway.AskAsync(GatewayRequests.For(message), context.CancellationToken);
        var texts = (answer.Responses ?? []).Select(r => r.Text).OfType<string>().Where(t => t.Length > 0).ToList();

        foreach (var text in texts)
        {
            await directMessages.SendTextAsync(token, message.SenderId, text, context.CancellationToken);
        }

        LogAnswered(message.EventId, message.BotUserId, texts.Count);
    }

    [LoggerMessage(LogLevel.Information, "Event {EventId} for bot {BotUserId}: {Count} replies sent.")]
    private partial void LogAnswered(string eventId, string botUserId, int count);
}
