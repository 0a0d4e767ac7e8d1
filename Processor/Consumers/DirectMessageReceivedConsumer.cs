using MassTransit;
using TwitterBot.Contracts;
using TwitterBot.Processor.Conversations;

namespace TwitterBot.Processor.Consumers;

/// <summary>Answers a user's DM through the gateway, exactly once per X event.</summary>
public sealed class DirectMessageReceivedConsumer(ConversationTurn turn) : IConsumer<DirectMessageReceived>
{
    public Task Consume(ConsumeContext<DirectMessageReceived> context) =>
        turn.TakeAsync(
            context.Message,
            context.MessageId ?? throw new InvalidOperationException("DirectMessageReceived arrived without a MessageId."),
            context,
            context.CancellationToken);
}
