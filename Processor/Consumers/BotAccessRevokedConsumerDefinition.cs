using MassTransit;
using TwitterBot.ServiceDefaults;

namespace TwitterBot.Processor.Consumers;

public sealed class BotAccessRevokedConsumerDefinition : ConsumerDefinition<BotAccessRevokedConsumer>
{
    public BotAccessRevokedConsumerDefinition() => EndpointName = DurableQueues.BotAccessRevoked;
}
