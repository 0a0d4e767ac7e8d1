using MassTransit;
using TwitterBot.Processor.Clients.Gateway;
using TwitterBot.ServiceDefaults;

namespace TwitterBot.Processor.Consumers;

public sealed class DirectMessageReceivedConsumerDefinition : ConsumerDefinition<DirectMessageReceivedConsumer>
{
    public DirectMessageReceivedConsumerDefinition() => EndpointName = DurableQueues.DirectMessageReceived;

    protected override void ConfigureConsumer(
        IReceiveEndpointConfigurator endpointConfigurator,
        IConsumerConfigurator<DirectMessageReceivedConsumer> consumerConfigurator,
        IRegistrationContext context)
    {
        // Only gateway failures are retried: they happen before any reply is sent. A failed DM send is not
        // retried blindly, since the first attempt may have reached the user.
        endpointConfigurator.UseMessageRetry(retry =>
        {
            retry.Handle<GatewayException>();
            retry.Exponential(5, TimeSpan.FromSeconds(1), TimeSpan.FromSeconds(30), TimeSpan.FromSeconds(2));
        });
    }
}
