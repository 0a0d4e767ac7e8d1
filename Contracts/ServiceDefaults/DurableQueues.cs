using MassTransit;

namespace TwitterBot.ServiceDefaults;

/// <summary>
/// The queues that hold what the Ingress accepted from X. Both services declare them the same way: the
/// Processor consumes from them, and the Ingress binds them to its publish exchanges, so an event accepted
/// while no Processor has ever run waits in its queue instead of being dropped as unroutable.
/// </summary>
public static class DurableQueues
{
    public const string DirectMessageReceived = "direct-message-received";
    public const string BotAccessRevoked = "bot-access-revoked";
    public const string ReplayJobStatusReported = "replay-job-status-reported";

    /// <summary>
    /// Quorum queues: replicated over the cluster's nodes (Raft), durable, and a publish is confirmed only
    /// once a majority has it on disk, which is what "200 means stored" needs. They also count
    /// redeliveries, so a poison message cannot loop forever. A single active consumer: one Processor
    /// replica consumes at a time (the others take over when it goes), so a user's messages stay in order.
    /// </summary>
    public static void Configure(IRabbitMqQueueConfigurator queue)
    {
        queue.SetQuorumQueue();
        queue.SingleActiveConsumer = true;
    }

    /// <summary>
    /// Declares <paramref name="queue"/> and binds it straight to the publish exchange of
    /// <typeparamref name="T"/>. The Processor's endpoint reaches the same queue through its own exchange;
    /// RabbitMQ puts one copy in a queue per publish however many routes lead to it.
    /// </summary>
    public static void BindToPublisher<T>(this IRabbitMqBusFactoryConfigurator bus, string queue) where T : class =>
        bus.Publish<T>(publish => publish.BindQueue(publish.Exchange.ExchangeName, queue, binding => Configure(binding)));
}
