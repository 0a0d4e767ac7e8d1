using MassTransit;
using TwitterBot.Conventions.Queues;

namespace TwitterBot.Processor.Consumers;

public sealed class BotAccessRevokedConsumerDefinition : ConsumerDefinition<BotAccessRevokedConsumer>
{
    public BotAccessRevokedConsumerDefinition() => EndpointName = DurableQueues.BotAccessRevoked;
}
