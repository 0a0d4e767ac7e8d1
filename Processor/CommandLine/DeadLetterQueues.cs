using System.Globalization;
using System.Text;
using RabbitMQ.Client;
using RabbitMQ.Client.Events;
using RabbitMQ.Client.Exceptions;
using TwitterBot.ServiceDefaults;

namespace TwitterBot.Processor.CommandLine;

/// <summary>A message MassTransit moved to an <c>_error</c> queue, as the broker holds it.</summary>
public sealed record DeadLetter(
    string ErrorQueue,
    string? MessageId,
    string? MessageType,
    string? ExceptionType,
    string? ExceptionMessage,
    DateTimeOffset? FaultedAt,
    ReadOnlyMemory<byte> Body)
{
    /// <summary>The queue the message failed on: its <c>_error</c> queue's name without the suffix.</summary>
    public string SourceQueue => ErrorQueue[..^DeadLetterQueues.ErrorSuffix.Length];
}

/// <summary>Which dead letters a command acts on.</summary>
public sealed record DeadLetterFilter(IReadOnlyList<string> Queues, string? ExceptionType, TimeSpan? OlderThan, int? Max)
{
    public bool Matches(DeadLetter letter, DateTimeOffset now) =>
        (ExceptionType is null || (letter.ExceptionType?.Contains(ExceptionType, StringComparison.OrdinalIgnoreCase) ?? false))
        && (OlderThan is not { } age || letter.FaultedAt is not { } at || now - at >= age);
}

/// <summary>
/// Lists and re-queues the Processor's dead letters, straight on RabbitMQ. A dead letter is re-published
/// (body and headers as they are, message id included) to the queue it failed on, with a publisher
/// confirm, and only then acknowledged: a crash in between leaves a copy in both queues, never in none,
/// and the conversation ledger makes the copy harmless.
/// </summary>
public sealed class DeadLetterQueues(RabbitMqOptions options, TimeProvider time)
{
    public const string ErrorSuffix = "_error";

    /// <summary>The Processor's queues whose <c>_error</c> queues may hold dead letters.</summary>
    public IEnumerable<string> KnownErrorQueues =>
        DurableQueues.ConversationPartitions(options.ConversationPartitions)
            .Append(DurableQueues.BotAccessRevoked)
            .Append(DurableQueues.ReplayJobStatusReported)
            .Select(queue => queue + ErrorSuffix);

    /// <summary>Error queues named by the filter (a queue, its error queue, or a prefix such as <c>direct-message-received</c>).</summary>
    public IReadOnlyList<string> Select(DeadLetterFilter filter) =>
        filter.Queues.Count == 0
            ? KnownErrorQueues.ToList()
            : KnownErrorQueues.Where(queue => filter.Queues.Any(name => queue.StartsWith(name.EndsWith(ErrorSuffix, StringComparison.Ordinal) ? name : name.TrimEnd('-'), StringComparison.Ordinal))).ToList();

    /// <summary>Reads the matching dead letters without removing any.</summary>
    public Task<IReadOnlyList<DeadLetter>> ListAsync(DeadLetterFilter filter, CancellationToken cancellationToken) =>
        WalkAsync(filter, move: false, cancellationToken);

    /// <summary>Moves the matching dead letters back to the queues they failed on; returns those moved.</summary>
    public Task<IReadOnlyList<DeadLetter>> RequeueAsync(DeadLetterFilter filter, CancellationToken cancellationToken) =>
        WalkAsync(filter, move: true, cancellationToken);

    /// <summary>How long to wait for the next delivery before taking the queue as read.</summary>
    private static readonly TimeSpan DeliveryPatience = TimeSpan.FromSeconds(5);

    private async Task<IReadOnlyList<DeadLetter>> WalkAsync(DeadLetterFilter filter, bool move, CancellationToken cancellationToken)
    {
        var matched = new List<DeadLetter>();
        await using var connection = await Connect(cancellationToken);
        foreach (var queue in Select(filter))
        {
            var ready = await ReadyMessagesAsync(connection, queue, cancellationToken) ?? 0;
            if (ready == 0)
            {
                continue;
            }

            // The _error queues are quorum queues with a single active consumer, which refuse basic.get: consume
            // the messages that were ready, hold what is not moved, and give it back once no longer consuming
            // (a quorum queue would hand a message given back at once straight back to this consumer).
            await using var channel = await connection.CreateChannelAsync(
                new CreateChannelOptions(publisherConfirmationsEnabled: true, publisherConfirmationTrackingEnabled: true), cancellationToken);
            var deliveries = System.Threading.Channels.Channel.CreateUnbounded<(ulong Tag, BasicProperties Properties, byte[] Body)>();
            var consumer = new AsyncEventingBasicConsumer(channel);
            consumer.ReceivedAsync += (_, delivery) =>
                deliveries.Writer.WriteAsync((delivery.DeliveryTag, new BasicProperties(delivery.BasicProperties), delivery.Body.ToArray()), cancellationToken).AsTask();
            var consumerTag = await channel.BasicConsumeAsync(queue, autoAck: false, consumer, cancellationToken);

            var held = new List<ulong>();
            for (var received = 0u; received < ready && (filter.Max is not { } max || matched.Count < max); received++)
            {
                using var patience = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
                patience.CancelAfter(DeliveryPatience);
                (ulong Tag, BasicProperties Properties, byte[] Body) delivery;
                try
                {
                    delivery = await deliveries.Reader.ReadAsync(patience.Token);
                }
                catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
                {
                    break; // another consumer took the rest
                }

                var letter = Read(queue, delivery.Properties, delivery.Body);
                if (!filter.Matches(letter, time.GetUtcNow()))
                {
                    held.Add(delivery.Tag);
                    continue;
                }

                matched.Add(letter);
                if (!move)
                {
                    held.Add(delivery.Tag);
                    continue;
                }

                // Confirmed by the broker (the channel tracks confirms) before the dead letter is acknowledged.
                await channel.BasicPublishAsync(string.Empty, letter.SourceQueue, mandatory: true, delivery.Properties, delivery.Body, cancellationToken);
                await channel.BasicAckAsync(delivery.Tag, multiple: false, cancellationToken);
            }

            await channel.BasicCancelAsync(consumerTag, cancellationToken: cancellationToken);
            foreach (var tag in held)
            {
                await channel.BasicNackAsync(tag, multiple: false, requeue: true, cancellationToken);
            }
        }

        return matched;
    }

    /// <returns>The messages ready in the queue, or null when there is no such queue.</returns>
    private static async Task<uint?> ReadyMessagesAsync(IConnection connection, string queue, CancellationToken cancellationToken)
    {
        // A passive declare of a missing queue closes its channel: probe on a channel of its own.
        await using var probe = await connection.CreateChannelAsync(cancellationToken: cancellationToken);
        try
        {
            return (await probe.QueueDeclarePassiveAsync(queue, cancellationToken)).MessageCount;
        }
        catch (OperationInterruptedException)
        {
            return null;
        }
    }

    private Task<IConnection> Connect(CancellationToken cancellationToken) =>
        BrokerConnections.OpenAsync(options, "twitterbot-dead-letters", cancellationToken);

    private static DeadLetter Read(string queue, BasicProperties properties, byte[] body)
    {
        var headers = properties.Headers;
        string? Header(string name) => headers?.TryGetValue(name, out var value) == true
            ? value switch { byte[] bytes => Encoding.UTF8.GetString(bytes), null => null, _ => Convert.ToString(value, CultureInfo.InvariantCulture) }
            : null;

        return new DeadLetter(
            queue,
            properties.MessageId ?? Header("MessageId"),
            Header("MT-Fault-MessageType") ?? Header("MT-MessageType"),
            Header("MT-Fault-ExceptionType"),
            Header("MT-Fault-Message"),
            DateTimeOffset.TryParse(Header("MT-Fault-Timestamp"), CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal, out var at) ? at : null,
            body);
    }
}
