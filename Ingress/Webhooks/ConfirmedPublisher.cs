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

    private readonly ConcurrentDictionary<Guid, Task> _unsettled = new();

    /// <returns>True when the broker confirmed every message within <paramref name="budget"/>.</returns>
    public async Task<bool> PublishAllAsync(IReadOnlyList<OutgoingMessage> messages, TimeSpan budget, CancellationToken cancellationToken)
    {
        var confirmations = messages.Select(message => (message.MessageId, Task: PublishOnce(message))).ToList();
        try
        {
            await Task.WhenAll(confirmations.Select(c => c.Task)).WaitAsync(budget, time, cancellationToken);
            return true;
        }
        catch (TimeoutException)
        {
            foreach (var (messageId, task) in confirmations.Where(c => !c.Task.IsCompleted))
            {
                Remember(messageId, task);
            }

            return false;
        }
    }

    private Task PublishOnce(OutgoingMessage message)
    {
        if (_unsettled.TryGetValue(message.MessageId, out var earlier) && !earlier.IsFaulted && !earlier.IsCanceled)
        {
            return earlier;
        }

        return bus.Publish(message.Message, message.Message.GetType(), Pipe.Execute<PublishContext>(context =>
        {
            context.MessageId = message.MessageId;
            if (message.ConversationKey is { } key)
            {
                context.Headers.Set(ServiceDefaults.ConversationKeys.Header, key);
            }

            if (context.TryGetPayload<RabbitMqSendContext>(out var rabbit))
            {
                rabbit.Mandatory = true;
            }
        }), CancellationToken.None);
    }

    private void Remember(Guid messageId, Task publish)
    {
        if (_unsettled.Count >= MaxRemembered || !_unsettled.TryAdd(messageId, publish))
        {
            return;
        }

        _ = publish.ContinueWith(
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

                _unsettled.TryRemove(KeyValuePair.Create(messageId, publish));
            },
            CancellationToken.None,
            TaskContinuationOptions.None,
            TaskScheduler.Default);
    }
}
