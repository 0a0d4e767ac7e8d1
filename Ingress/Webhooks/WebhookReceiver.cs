using System.Collections.Concurrent;
using System.Text.Json;
using Microsoft.Extensions.Options;

namespace TwitterBot.Ingress.Webhooks;

/// <summary>
/// Parses a verified webhook body, decides what each of its events becomes, and publishes what is to be
/// kept. Answers <see cref="WebhookOutcome.Accepted"/> only once RabbitMQ confirmed every message.
/// </summary>
public sealed partial class WebhookReceiver(
    WebhookEventTranslator translator,
    ConfirmedPublisher publisher,
    IngressMetrics metrics,
    TimeProvider time,
    IOptions<WebhookReceiverOptions> options,
    ILogger<WebhookReceiver> logger)
{
    private readonly ConcurrentDictionary<string, bool> _reportedUnknownAccounts = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<(string Sender, string Recipient), bool> _reportedBotPairs = new();

    public async Task<WebhookOutcome> ReceiveAsync(ReadOnlyMemory<byte> body, string requestId, CancellationToken cancellationToken)
    {
        WebhookEnvelope envelope;
        try
        {
            envelope = WebhookEnvelope.From(WebhookBody.Parse(body.Span));
        }
        catch (Exception exception) when (exception is JsonException or UnrecognizedWebhookException)
        {
            LogMalformedBody(requestId, body.Length, exception.Message);
            return WebhookOutcome.Malformed;
        }

        var translation = translator.Translate(envelope);
        RecordDropped(requestId, translation.Dropped);
        if (translation.Messages.Count == 0)
        {
            return WebhookOutcome.Accepted;
        }

        var started = time.GetTimestamp();
        bool confirmed;
        try
        {
            confirmed = await publisher.PublishAllAsync(translation.Messages, options.Value.PublishTimeout, cancellationToken);
        }
        catch (Exception exception) when (exception is not OperationCanceledException)
        {
            LogPublishFailed(requestId, translation.Messages.Count, exception);
            metrics.Unavailable("publish_failed");
            return WebhookOutcome.BrokerUnavailable;
        }

        if (!confirmed)
        {
            LogPublishTimedOut(requestId, translation.Messages.Count, options.Value.PublishTimeout);
            metrics.Unavailable("publish_timeout");
            return WebhookOutcome.BrokerUnavailable;
        }

        metrics.Confirmed(time.GetElapsedTime(started));
        foreach (var message in translation.Messages)
        {
            metrics.Event(message.EventType, "published");
        }

        LogPublished(requestId, translation.Messages.Count, translation.Dropped.Sum(d => d.Count));
        return WebhookOutcome.Accepted;
    }

    private void RecordDropped(string requestId, IReadOnlyList<DroppedEvent> dropped)
    {
        foreach (var drop in dropped)
        {
            metrics.Event(drop.Type, drop.Reason switch
            {
                DropReason.Echo => "echo",
                DropReason.UnknownAccount => "unknown_account",
                DropReason.Incomplete => "incomplete",
                DropReason.Malformed => "malformed",
                DropReason.FromBot => "from_bot",
                _ => "dropped",
            }, drop.Count);

            if (drop.Reason == DropReason.UnknownAccount && _reportedUnknownAccounts.TryAdd(drop.AccountId ?? string.Empty, true))
            {
                LogUnknownAccount(requestId, drop.AccountId ?? "(none)", drop.Type);
            }
            else if (drop.Reason == DropReason.Incomplete)
            {
                LogIncomplete(requestId, drop.Type);
            }
            else if (drop.Reason == DropReason.Malformed)
            {
                LogMalformedEvent(requestId, drop.Type, drop.Index ?? 0, drop.Problem ?? "$");
            }
            else if (drop.Reason == DropReason.FromBot && _reportedBotPairs.TryAdd((drop.SenderId ?? string.Empty, drop.AccountId ?? string.Empty), true))
            {
                LogFromBot(requestId, drop.SenderId ?? "(none)", drop.AccountId ?? "(none)");
            }
        }
    }

    [LoggerMessage(LogLevel.Warning, "Webhook {RequestId}: the body ({Length} bytes) is not a valid X event: {Problem}")]
    private partial void LogMalformedBody(string requestId, int length, string problem);

    [LoggerMessage(LogLevel.Warning, "Webhook {RequestId}: {EventType} event for X account {AccountId}, which is not a configured bot (TwitterBot:Bots). Events for it are answered 200 and dropped; this is logged once per account.")]
    private partial void LogUnknownAccount(string requestId, string accountId, string eventType);

    [LoggerMessage(LogLevel.Warning, "Webhook {RequestId}: a {EventType} event lacks the ids needed to act on it and was dropped.")]
    private partial void LogIncomplete(string requestId, string eventType);

    [LoggerMessage(LogLevel.Warning, "Webhook {RequestId}: the {EventType} event at index {Index} does not convert (at {Problem}) and was dropped; the delivery's other events were kept.")]
    private partial void LogMalformedEvent(string requestId, string eventType, int index, string problem);

    [LoggerMessage(LogLevel.Warning, "Webhook {RequestId}: a DM from bot account {SenderId} to bot account {RecipientId} was dropped: configured bots never answer each other, so that two of them cannot talk forever. This is logged once per pair.")]
    private partial void LogFromBot(string requestId, string senderId, string recipientId);

    [LoggerMessage(LogLevel.Debug, "Webhook {RequestId}: {Count} messages confirmed by the broker ({Dropped} events dropped).")]
    private partial void LogPublished(string requestId, int count, int dropped);

    [LoggerMessage(LogLevel.Error, "Webhook {RequestId}: the broker did not confirm {Count} messages within {Timeout}; answering 503 so that X retries.")]
    private partial void LogPublishTimedOut(string requestId, int count, TimeSpan timeout);

    [LoggerMessage(LogLevel.Error, "Webhook {RequestId}: publishing {Count} messages failed; answering 503 so that X retries.")]
    private partial void LogPublishFailed(string requestId, int count, Exception exception);
}

public enum WebhookOutcome
{
    /// <summary>Everything the delivery carried is durably in RabbitMQ (or there was nothing to keep).</summary>
    Accepted,

    /// <summary>The signature was right but the body is not an X event.</summary>
    Malformed,

    /// <summary>The broker did not confirm in time: X must retry.</summary>
    BrokerUnavailable,
}

public sealed class WebhookReceiverOptions
{
    public const string Section = "Ingress";

    /// <summary>How long a POST waits for the broker's confirms; well inside X's 3 s budget.</summary>
    public TimeSpan PublishTimeout { get; set; } = TimeSpan.FromSeconds(2);

    /// <summary>The largest webhook body accepted; larger ones are answered 413.</summary>
    public int MaxBodyBytes { get; set; } = 1024 * 1024;

    /// <summary>The bounds past which a POST is answered 503 at once (<c>Ingress:Admission</c>).</summary>
    public Admission.AdmissionOptions Admission { get; set; } = new();
}
