using System.Collections.Concurrent;
using MassTransit;

namespace TwitterBot.Ingress.Webhooks;

/// <summary>
/// Publishes a delivery's messages and reports whether RabbitMQ confirmed all of them within the budget.
/// <para>
/// A publish still unconfirmed when the budget runs out is not cancelled (cancelling an in-flight publish
/// can corrupt the channel's confirm tracking); it is remembered by message id instead. X retries the
/// POST, and the retry awaits that same publish rather than publishing a second copy. Publishes are
/// mandatory: a message no queue would take is returned by the broker and fails, never confirmed and lost.
/// </para>
/// </summary>
public sealed class ConfirmedPublisher(IBus bus, TimeProvider time)
{
    /// <summary>X retries for about 5 minutes; a settled publish is remembered a little longer.</summary>
    public static readonly TimeSpan RetryWindow = TimeSpan.FromMinutes(10);

    /// <summary>Beyond this many unsettled publishes, new ones are not remembered (downstream dedupes by id).</summary>
    public const int MaxRemembered = 100_000;

    /// <summary>
    /// A publish unsettled this long is presumed lost and published again. A publish caught by a connection
    /// loss can stay pending forever (its channel is gone without failing it); waiting on it would answer
    /// X 503 until X gives up. Should it settle after all, the copy carries the same message id and the
    /// Processor's ledger answers it once.
    /// </summary>
    public static readonly TimeSpan PresumedLostAfter = TimeSpan.FromSeconds(10);

    private readonly ConcurrentDictionary<Guid, PendingPublish> _unsettled = new();
    private int _overdue;

    /// <summary>
    /// Publishes whose POST was answered 503 and that the broker has not yet settled, counted until they
    /// settle or are presumed lost: how far behind the broker is. Admission stops taking POSTs at a bound.
    /// </summary>
    public int Overdue => Volatile.Read(ref _overdue);

    /// <returns>True when the broker confirmed every message within <paramref name="budget"/>.</returns>
    public async Task<bool> PublishAllAsync(IReadOnlyList<OutgoingMessage> messages, TimeSpan budget, CancellationToken cancellationToken)
    {
        var confirmations = messages.Select(message => (message.MessageId, Pending: PublishOnce(message))).ToList();
        try
        {
            await Task.WhenAll(confirmations.Select(c => c.Pending.Confirmation)).WaitAsync(budget, time, cancellationToken);
            return true;
        }
        catch (TimeoutException)
        {
            foreach (var (messageId, pending) in confirmations.Where(c => !c.Pending.Confirmation.IsCompleted))
            {
                Remember(messageId, pending);
            }

            return false;
        }
    }

    private PendingPublish PublishOnce(OutgoingMessage message)
    {
        var now = time.GetUtcNow();
        if (_unsettled.TryGetValue(message.MessageId, out var earlier))
        {
            if (!earlier.Confirmation.IsFaulted && !earlier.Confirmation.IsCanceled
                && (earlier.Confirmation.IsCompleted || now - earlier.StartedAt < PresumedLostAfter))
            {
                return earlier;
            }

            // Replaced: a publish presumed lost may never settle, so its own clean-up would never run.
            _unsettled.TryRemove(KeyValuePair.Create(message.MessageId, earlier));
        }

        return new PendingPublish(Publish(message), now);
    }

    private Task Publish(OutgoingMessage message) =>
        bus.Publish(message.Message, message.Message.GetType(), Pipe.Execute<PublishContext>(context =>
        {
            context.MessageId = message.MessageId;
            if (message.ConversationKey is { } key)
            {
                context.Headers.Set(Conventions.Ids.ConversationKeys.Header, key);
            }

            if (context.TryGetPayload<RabbitMqSendContext>(out var rabbit))
            {
                rabbit.Mandatory = true;
            }
        }), CancellationToken.None);

    private void Remember(Guid messageId, PendingPublish pending)
    {
        if (_unsettled.Count >= MaxRemembered && !_unsettled.ContainsKey(messageId))
        {
            return;
        }

        _unsettled[messageId] = pending;
        CountOverdue(pending);
        _ = pending.Confirmation.ContinueWith(
            async settled =>
            {
                if (settled.IsCompletedSuccessfully)
                {
                    await Task.Delay(RetryWindow, time);
                }
                else
                {
                    _ = settled.Exception; // observed: the retry that republishes reports the failure
                }

                _unsettled.TryRemove(KeyValuePair.Create(messageId, pending));
            },
            CancellationToken.None,
            TaskContinuationOptions.None,
            TaskScheduler.Default);
    }

    /// <summary>A timer only for an overdue publish: rare while the broker keeps up, and bounded by admission when not.</summary>
    private void CountOverdue(PendingPublish pending)
    {
        var left = PresumedLostAfter - (time.GetUtcNow() - pending.StartedAt);
        if (pending.Confirmation.IsCompleted || left <= TimeSpan.Zero)
        {
            return;
        }

        Interlocked.Increment(ref _overdue);
        _ = pending.Confirmation.WaitAsync(left, time).ContinueWith(
            static (_, publisher) => Interlocked.Decrement(ref ((ConfirmedPublisher)publisher!)._overdue),
            this,
            CancellationToken.None,
            TaskContinuationOptions.ExecuteSynchronously,
            TaskScheduler.Default);
    }
}

/// <summary>A publish awaiting the broker's confirm, and when it began.</summary>
internal readonly record struct PendingPublish(Task Confirmation, DateTimeOffset StartedAt);
