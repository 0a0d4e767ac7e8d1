using MassTransit;
using Microsoft.Extensions.Options;
using TwitterBot.Conventions.Ids;
using TwitterBot.Conventions.Queues;
using TwitterBot.ServiceDefaults;

namespace TwitterBot.Processor.XAccount.Replay;

/// <summary>
/// Publishes recovered DMs as the Ingress publishes DMs: a publish-only bus on <c>Messaging:Rabbit</c> with the
/// same conversation routing (<see cref="DurableQueues.RouteConversations"/>), each message under its id and
/// conversation key, mandatory, and awaited until RabbitMQ confirmed it (publisher confirms, the transport's
/// default). One at a time, oldest first, so that each conversation's DMs queue in the order they were sent.
/// </summary>
public sealed class RecoveryPublisher(IOptions<RabbitMqOptions> options)
{
    /// <returns>How many RabbitMQ confirmed (all of them, or the failure is thrown).</returns>
    public async Task<int> PublishAsync(IReadOnlyList<RecoveredDirectMessage> messages, CancellationToken cancellationToken)
    {
        var rabbit = options.Value;
        var bus = Bus.Factory.CreateUsingRabbitMq(configurator =>
        {
            configurator.Host(rabbit, "twitterbot-recover");
            configurator.RouteConversations(rabbit.ConversationPartitions);
        });
        await bus.StartAsync(cancellationToken);
        try
        {
            var published = 0;
            foreach (var recovered in messages)
            {
                await bus.Publish(recovered.Message, context =>
                {
                    context.MessageId = recovered.MessageId;
                    context.Headers.Set(ConversationKeys.Header, recovered.ConversationKey);
                    if (context.TryGetPayload<RabbitMqSendContext>(out var send))
                    {
                        send.Mandatory = true;
                    }
                }, cancellationToken);
                published++;
            }

            return published;
        }
        finally
        {
            await bus.StopAsync(CancellationToken.None);
        }
    }
}
