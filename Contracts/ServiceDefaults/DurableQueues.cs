using MassTransit;
using TwitterBot.Contracts;

namespace TwitterBot.ServiceDefaults;

/// <summary>
/// The queues that hold what the Ingress accepted from X, declared identically by both services: the
/// Processor consumes from them, and the Ingress binds them to its publish exchanges, so an event accepted
/// while no Processor has ever run waits in its queue instead of being dropped as unroutable.
/// </summary>
public static class DurableQueues
{
    public const string DirectMessageReceived = "direct-message-received";
    public const string BotAccessRevoked = "bot-access-revoked";
    public const string ReplayJobStatusReported = "replay-job-status-reported";

    /// <summary>The RabbitMQ plugin (shipped with RabbitMQ, to be enabled) behind conversation partitions.</summary>
    public const string ConsistentHashExchangeType = "x-consistent-hash";

    /// <summary>The queue of conversation partition <paramref name="index"/>, e.g. <c>direct-message-received-07</c>.</summary>
    public static string ConversationPartition(int index) => $"{DirectMessageReceived}-{index:D2}";

    public static IEnumerable<string> ConversationPartitions(int count) => Enumerable.Range(0, count).Select(ConversationPartition);

    /// <summary>
    /// Quorum queues: replicated over the cluster's nodes (Raft), durable, and a publish is confirmed only
    /// once a majority has it on disk, which is what "200 means stored" needs. They also count
    /// redeliveries, so a poison message cannot loop forever. A single active consumer: one Processor
    /// replica consumes a queue at a time, the others take over when it goes.
    /// </summary>
    public static void Configure(IRabbitMqQueueConfigurator queue)
    {
        queue.SetQuorumQueue();
        queue.SingleActiveConsumer = true;
    }

    /// <summary>
    /// Routes <c>DirectMessageReceived</c> by conversation: its exchange is a consistent-hash exchange on the
    /// conversation-key header, bound straight to <paramref name="partitions"/> queues, so all messages of one
    /// conversation land, in order, in the same queue. Only this publish topology declares bindings (every
    /// binding is a member of the hash ring, so the ring must not depend on which service declared first).
    /// </summary>
    public static void RouteConversations(this IRabbitMqBusFactoryConfigurator bus, int partitions) =>
        bus.Publish<DirectMessageReceived>(publish =>
        {
            publish.ExchangeType = ConsistentHashExchangeType;
            publish.SetExchangeArgument("hash-header", ConversationKeys.Header);
            foreach (var queue in ConversationPartitions(partitions))
            {
                publish.BindQueue(publish.Exchange.ExchangeName, queue, binding =>
                {
                    binding.ExchangeType = ConsistentHashExchangeType;
                    binding.SetExchangeArgument("hash-header", ConversationKeys.Header);
                    binding.RoutingKey = "1"; // the partition's weight on the hash ring
                    Configure(binding);
                });
            }
        });

    /// <summary>
    /// Declares <paramref name="queue"/> and binds it straight to the publish exchange of
    /// <typeparamref name="T"/>. The Processor's endpoint reaches the same queue through its own exchange;
    /// RabbitMQ puts one copy in a queue per publish however many routes lead to it.
    /// </summary>
    public static void BindToPublisher<T>(this IRabbitMqBusFactoryConfigurator bus, string queue) where T : class =>
        bus.Publish<T>(publish => publish.BindQueue(publish.Exchange.ExchangeName, queue, binding => Configure(binding)));
}
