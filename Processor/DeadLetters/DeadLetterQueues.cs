using System.Globalization;
using System.Text;
using RabbitMQ.Client;
using RabbitMQ.Client.Events;
using RabbitMQ.Client.Exceptions;
using TwitterBot.Conventions.Queues;
using TwitterBot.ServiceDefaults;

namespace TwitterBot.Processor.DeadLetters;

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
/// and the conversation ledger makes the copy harmless. The <c>_error</c> queues are classic queues
/// (<see cref="DurableQueues.ParkingQueueArguments"/>): a letter read and given back keeps its place and
/// gains no delivery count, however often it is listed.
/// </summary>
public sealed class DeadLetterQueues(RabbitMqOptions options, TimeProvider time)
{
    public const string ErrorSuffix = DurableQueues.ErrorSuffix;

    /// <summary>The Processor's queues whose <c>_error</c> queues may hold dead letters.</summary>
    public IEnumerable<string> KnownErrorQueues =>
        DurableQueues.WorkQueues(options.ConversationPartitions).Select(DurableQueues.ErrorQueue);

    /// <summary>Error queues named by the filter (a queue, its error queue, or a prefix such as <c>direct-message-received</c>).</summary>
    public IReadOnlyList<string> Select(DeadLetterFilter filter) =>
        filter.Queues.Count == 0
            ? KnownErrorQueues.ToList()
            : KnownErrorQueues.Where(queue => filter.Queues.Any(name => queue.StartsWith(name.EndsWith(ErrorSuffix, StringComparison.Ordinal) ? name : name.TrimEnd('-'), StringComparison.Ordinal))).ToList();

    /// <summary>Reads the matching dead letters without removing, reordering or ageing any.</summary>
    public Task<IReadOnlyList<DeadLetter>> ListAsync(DeadLetterFilter filter, CancellationToken cancellationToken) =>
        WalkAsync(filter, move: false, cancellationToken);

    /// <summary>Moves the matching dead letters back to the queues they failed on; returns those moved.</summary>
    public Task<IReadOnlyList<DeadLetter>> RequeueAsync(DeadLetterFilter filter, CancellationToken cancellationToken) =>
        WalkAsync(filter, move: true, cancellationToken);

    /// <summary>How long to wait for the next delivery before taking the queue as read.</summary>
    private static readonly TimeSpan DeliveryPatience = TimeSpan.FromSeconds(5);

    /// <summary>How long to wait for another reader of an error queue (another command) to finish.</summary>
    private static readonly TimeSpan TurnPatience = TimeSpan.FromSeconds(30);

    private const int AccessRefused = 403;

    private async Task<IReadOnlyList<DeadLetter>> WalkAsync(DeadLetterFilter filter, bool move, CancellationToken cancellationToken)
    {
        var matched = new List<DeadLetter>();
        await using var connection = await Connect(cancellationToken);
        foreach (var queue in Select(filter))
        {
            var ready = await ReadyWhenUnreadAsync(connection, queue, cancellationToken);
            if (ready == 0 || filter.Max is { } reached && matched.Count >= reached)
            {
                continue;
            }

            var (channel, deliveries) = await ReadAloneAsync(connection, queue, cancellationToken);
            await using (channel)
            {
                for (var received = 0u; received < ready && (filter.Max is not { } max || matched.Count < max); received++)
                {
                    using var patience = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
                    patience.CancelAfter(DeliveryPatience);
                    Delivery delivery;
                    try
                    {
                        delivery = await deliveries.ReadAsync(patience.Token);
                    }
                    catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
                    {
                        break; // purged or deleted meanwhile
                    }

                    var letter = Read(queue, delivery.Properties, delivery.Body);
                    if (!filter.Matches(letter, time.GetUtcNow()))
                    {
                        continue;
                    }

                    matched.Add(letter);
                    if (move)
                    {
                        // Confirmed by the broker (the channel tracks confirms) before the dead letter is acknowledged.
                        await channel.BasicPublishAsync(string.Empty, letter.SourceQueue, mandatory: true, delivery.Properties, delivery.Body, cancellationToken);
                        await channel.BasicAckAsync(delivery.Tag, multiple: false, cancellationToken);
                    }
                }

                // Closing the channel ends the consumer and gives back every delivery not acknowledged, in one
                // step and each at its place in the queue: nobody can take them in between, nor are they counted.
                await channel.CloseAsync(cancellationToken);
            }
        }

        return matched;
    }

    private sealed record Delivery(ulong Tag, BasicProperties Properties, byte[] Body);

    /// <summary>
    /// Consumes <paramref name="queue"/> as its only consumer (exclusive), so that two commands never read one
    /// error queue at once: each sees all of it, before or after the other. Waits for another reader to finish.
    /// </summary>
    private async Task<(IChannel Channel, System.Threading.Channels.ChannelReader<Delivery> Deliveries)> ReadAloneAsync(
        IConnection connection, string queue, CancellationToken cancellationToken)
    {
        var giveUp = time.GetUtcNow() + TurnPatience;
        while (true)
        {
            var channel = await connection.CreateChannelAsync(
                new CreateChannelOptions(publisherConfirmationsEnabled: true, publisherConfirmationTrackingEnabled: true), cancellationToken);
            var deliveries = System.Threading.Channels.Channel.CreateUnbounded<Delivery>();
            var consumer = new AsyncEventingBasicConsumer(channel);
            consumer.ReceivedAsync += (_, delivery) =>
                deliveries.Writer.WriteAsync(new Delivery(delivery.DeliveryTag, new BasicProperties(delivery.BasicProperties), delivery.Body.ToArray()), cancellationToken).AsTask();
            try
            {
                await channel.BasicConsumeAsync(queue, autoAck: false, consumerTag: string.Empty, noLocal: false, exclusive: true, arguments: null, consumer, cancellationToken);
                return (channel, deliveries.Reader);
            }
            catch (OperationInterruptedException refused) when (refused.ShutdownReason?.ReplyCode == AccessRefused)
            {
                await channel.DisposeAsync();
                if (time.GetUtcNow() >= giveUp)
                {
                    throw new InvalidOperationException($"{queue} is being read by another consumer (another dead-letters command?): try again once it is done.", refused);
                }

                await Task.Delay(TimeSpan.FromMilliseconds(500), time, cancellationToken);
            }
            catch (OperationInterruptedException refused)
            {
                await channel.DisposeAsync();
                throw new InvalidOperationException(
                    $"{queue} refuses an exclusive consumer ({refused.ShutdownReason?.ReplyText}): is it still the quorum queue an earlier version declared? " +
                    "README.md, Operations, \"Upgrading the queues\", describes how to move its letters into a classic one.", refused);
            }
        }
    }

    /// <summary>
    /// The messages in the queue once no other command reads it (0 when there is no such queue). While another
    /// command reads an error queue its letters are delivered to that command, not ready, so counting them then
    /// would take a full queue for an empty one: the count waits for the reader to finish.
    /// </summary>
    private async Task<uint> ReadyWhenUnreadAsync(IConnection connection, string queue, CancellationToken cancellationToken)
    {
        var giveUp = time.GetUtcNow() + TurnPatience;
        while (true)
        {
            if (await ProbeAsync(connection, queue, cancellationToken) is not { } probe)
            {
                return 0;
            }

            var (ready, consumers) = probe;

            if (consumers == 0 || time.GetUtcNow() >= giveUp)
            {
                return ready;
            }

            await Task.Delay(TimeSpan.FromMilliseconds(500), time, cancellationToken);
        }
    }

    /// <returns>The messages ready in the queue and its consumers, or null when there is no such queue.</returns>
    private static async Task<(uint Ready, uint Consumers)?> ProbeAsync(IConnection connection, string queue, CancellationToken cancellationToken)
    {
        // A passive declare of a missing queue closes its channel: probe on a channel of its own.
        await using var probe = await connection.CreateChannelAsync(cancellationToken: cancellationToken);
        try
        {
            var declared = await probe.QueueDeclarePassiveAsync(queue, cancellationToken);
            return (declared.MessageCount, declared.ConsumerCount);
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

        // RabbitMQ parked it (redelivered past the queue's delivery limit): no consumer saw it fail.
        var death = Header("x-first-death-reason");
        if (Header("MT-Fault-ExceptionType") is null && death is not null)
        {
            var died = headers!.TryGetValue("x-death", out var deaths) && deaths is IList<object?> { Count: > 0 } list
                && list[^1] is IDictionary<string, object?> first && first.TryGetValue("time", out var when) && when is AmqpTimestamp stamp
                ? DateTimeOffset.FromUnixTimeSeconds(stamp.UnixTime)
                : (DateTimeOffset?)null;
            return new DeadLetter(
                queue,
                properties.MessageId ?? Header("MessageId"),
                Header("MT-MessageType"),
                $"RabbitMQ.{death}",
                death == "delivery_limit"
                    ? $"Delivered more often than {Header("x-first-death-queue")} allows without being acknowledged: its consumer died or lost its connection each time."
                    : $"Dead-lettered by RabbitMQ from {Header("x-first-death-queue")} ({death}).",
                died,
                body);
        }

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
