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
    /// <summary>How long the bus may take to connect by default (<c>--connect-timeout</c>) before the recovery gives up, having published nothing.</summary>
    public static readonly TimeSpan DefaultConnectTimeout = TimeSpan.FromSeconds(30);

    /// <param name="connectTimeout">How long the bus may take to connect before the recovery gives up, having published nothing.</param>
    /// <returns>How many RabbitMQ confirmed (all of them, or the failure is thrown).</returns>
    public async Task<int> PublishAsync(IReadOnlyList<RecoveredDirectMessage> messages, TimeSpan connectTimeout, CancellationToken cancellationToken)
    {
        var rabbit = options.Value;
        var bus = Bus.Factory.CreateUsingRabbitMq(configurator =>
        {
            configurator.Host(rabbit, "twitterbot-recover");
            configurator.RouteConversations(rabbit.ConversationPartitions);
        });
        using (var connecting = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken))
        {
            connecting.CancelAfter(connectTimeout);
            try
            {
                await bus.StartAsync(connecting.Token);
            }
            catch (Exception unreachable) when (!cancellationToken.IsCancellationRequested)
            {
                await bus.StopAsync(CancellationToken.None);
                throw new InvalidOperationException(
                    $"RabbitMQ (Messaging:Rabbit, virtual host '{rabbit.VirtualHost}') did not accept a connection within {connectTimeout.TotalSeconds:0} s ({unreachable.Message}): " +
                    "nothing was published. Check the broker, then run the recovery again.",
                    unreachable);
            }
        }

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
