using MassTransit;
using TwitterBot.Contracts;
using TwitterBot.Conventions.Ids;

namespace TwitterBot.Conventions.Queues;

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

    /// <summary>Where MassTransit parks what failed on a queue, and where RabbitMQ dead-letters what was redelivered too often.</summary>
    public const string ErrorSuffix = "_error";

    /// <summary>
    /// Deliveries of one message that may end without an acknowledgement (the consumer's process died, its
    /// connection or channel was lost, RabbitMQ's consumer timeout took it back) before RabbitMQ parks the
    /// message in its <c>_error</c> queue. MassTransit's retries happen inside one delivery and do not count.
    /// RabbitMQ 4.x's own default, but declared: 3.x has no default, and a 4.x default without a dead-letter
    /// target drops the message.
    /// </summary>
    public const int DeliveryLimit = 20;

    public static string ErrorQueue(string queue) => queue + ErrorSuffix;

    /// <summary>
    /// The members (Raft replicas) each work queue is created with: 3, so a 3-node cluster keeps a queue, and
    /// keeps confirming publishes, with any one node lost. RabbitMQ caps it at the cluster's nodes when it
    /// creates the queue (measured on 3.10.8: 5 asked of 3 nodes gives 3 members; any value on one node gives
    /// 1), so it is valid on a single broker too. Declared because the defaults differ: 3.x uses every node of
    /// the cluster, 4.x uses 3. A queue created on fewer nodes than this gains none when nodes join later:
    /// grow it with <c>rabbitmq-queues grow</c>.
    /// </summary>
    public const int QuorumReplicas = 3;

    /// <summary>The queues the Processor consumes: the conversation partitions, then the account events.</summary>
    public static IEnumerable<string> WorkQueues(int partitions) =>
        ConversationPartitions(partitions).Append(BotAccessRevoked).Append(ReplayJobStatusReported);

    /// <summary>
    /// A work queue: a quorum queue, replicated over the cluster's nodes (Raft), and a publish is confirmed
    /// only once a majority has it on disk, which is what "200 means stored" needs. A single active
    /// consumer: one Processor replica consumes it at a time, the others take over when it goes. A message
    /// delivered <see cref="DeliveryLimit"/> + 1 times without an acknowledgement is dead-lettered straight
    /// into the queue's <c>_error</c> queue (the default exchange routes by queue name, so no exchange or
    /// binding has to exist first), at least once: RabbitMQ keeps it in this queue until the <c>_error</c>
    /// queue confirmed it, which needs <c>x-overflow: reject-publish</c> (no length limit is set, so nothing
    /// is ever refused). Accepted alike by RabbitMQ 3.10 and 4.x.
    /// </summary>
    public static IReadOnlyDictionary<string, object> WorkQueueArguments(string queue) => new Dictionary<string, object>
    {
        ["x-queue-type"] = "quorum",
        ["x-quorum-initial-group-size"] = QuorumReplicas,
        ["x-single-active-consumer"] = true,
        ["x-delivery-limit"] = DeliveryLimit,
        ["x-dead-letter-exchange"] = "",
        ["x-dead-letter-routing-key"] = ErrorQueue(queue),
        ["x-dead-letter-strategy"] = "at-least-once",
        ["x-overflow"] = "reject-publish",
    };

    /// <summary>
    /// A parking (<c>_error</c>, <c>_skipped</c>) queue: a durable classic queue, named as such so that no
    /// virtual-host default makes it a quorum queue. Classic queues count no deliveries and have no delivery
    /// limit on any version, so reading its letters and giving them back (as <c>dead-letters list</c> does)
    /// never ages, moves or drops them, and gives them back in their places. The price: a classic queue
    /// lives on one node, so a parked letter is lost with that node's disk.
    /// </summary>
    public static IReadOnlyDictionary<string, object> ParkingQueueArguments { get; } = new Dictionary<string, object>
    {
        ["x-queue-type"] = "classic",
    };

    /// <summary>Every queue both services declare at start with its arguments, each <c>_error</c> queue before the queue that dead-letters into it.</summary>
    public static IEnumerable<(string Queue, IReadOnlyDictionary<string, object> Arguments)> Declarations(int partitions) =>
        WorkQueues(partitions).SelectMany(queue => new[] { (ErrorQueue(queue), ParkingQueueArguments), (queue, WorkQueueArguments(queue)) });

    /// <summary>Declares <paramref name="queue"/> (named <paramref name="name"/>) as a work queue.</summary>
    public static void Configure(IRabbitMqQueueConfigurator queue, string name)
    {
        foreach (var (key, value) in WorkQueueArguments(name))
        {
            queue.SetQueueArgument(key, value);
        }
    }

    /// <summary>
    /// Declares the <c>_error</c> and <c>_skipped</c> queues MassTransit creates for each receive endpoint as
    /// parking queues. MassTransit copies the receive queue's arguments into them; a parking queue must not
    /// have a delivery limit or a dead-letter target of its own.
    /// </summary>
    public static void UseParkingQueues(this IRabbitMqBusFactoryConfigurator bus)
    {
        bus.SendTopology.ConfigureErrorSettings = Park;
        bus.SendTopology.ConfigureDeadLetterSettings = Park;

        static void Park(IRabbitMqQueueBindingConfigurator queue)
        {
            foreach (var key in WorkQueueArguments(string.Empty).Keys)
            {
                queue.SetQueueArgument(key, null);
            }

            foreach (var (key, value) in ParkingQueueArguments)
            {
                queue.SetQueueArgument(key, value);
            }
        }
    }

    /// <summary>
    /// Routes <c>DirectMessageReceived</c> by conversation: its exchange is a consistent-hash exchange on the
    /// conversation-key header, bound straight to <paramref name="partitions"/> queues, so all messages of one
    /// conversation land, in order, in the same queue. Only this publish topology declares bindings (every
    /// binding is a member of the hash ring, so the ring must not depend on which service declared first).
    /// <para>
    /// <c>DirectMessageSentByAccount</c> (the account's echoes) is routed the same way through an exchange of its own,
    /// bound to the same queues in the same order: RabbitMQ's ring numbers buckets in binding order, so the
    /// same key lands in the same partition, ordered with the user's DMs.
    /// </para>
    /// <para>
    /// <c>EncryptedChatEventReceived</c> (XChat's <c>chat.*</c> events) likewise, keyed by <c>ConversationKeys.ForChat</c>:
    /// a person's XChat messages and legacy DMs share one partition.
    /// </para>
    /// </summary>
    public static void RouteConversations(this IRabbitMqBusFactoryConfigurator bus, int partitions)
    {
        RouteByConversation<DirectMessageReceived>(bus, partitions);
        RouteByConversation<DirectMessageSentByAccount>(bus, partitions);
        RouteByConversation<EncryptedChatEventReceived>(bus, partitions);
    }

    private static void RouteByConversation<T>(IRabbitMqBusFactoryConfigurator bus, int partitions) where T : class =>
        bus.Publish<T>(publish =>
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
                    Configure(binding, queue);
                });
            }
        });

    /// <summary>
    /// Declares <paramref name="queue"/> and binds it straight to the publish exchange of
    /// <typeparamref name="T"/>. The Processor's endpoint reaches the same queue through its own exchange;
    /// RabbitMQ puts one copy in a queue per publish however many routes lead to it.
    /// </summary>
    public static void BindToPublisher<T>(this IRabbitMqBusFactoryConfigurator bus, string queue) where T : class =>
        bus.Publish<T>(publish => publish.BindQueue(publish.Exchange.ExchangeName, queue, binding => Configure(binding, queue)));
}
