using System.Text.Json;
using MassTransit;
using Microsoft.Extensions.Options;

namespace TwitterBot.Ingress.Webhooks;

/// <summary>
/// Parses a verified webhook body and publishes what it carries. Completes only once the broker has
/// confirmed every publish, or reports that it could not within the publish budget.
/// </summary>
public sealed partial class WebhookReceiver(
    WebhookEventTranslator translator,
    IPublishEndpoint publisher,
    IOptions<WebhookReceiverOptions> options,
    ILogger<WebhookReceiver> logger)
{
    public async Task<WebhookOutcome> ReceiveAsync(ReadOnlyMemory<byte> body, string requestId, CancellationToken cancellationToken)
    {
        AccountActivityEvent delivery;
        try
        {
            delivery = AccountActivityEvent.Parse(body.Span);
        }
        catch (JsonException exception)
        {
            LogMalformedBody(requestId, body.Length, exception.Path, exception.LineNumber, exception.BytePositionInLine);
            return WebhookOutcome.Malformed;
        }

        var translation = translator.Translate(delivery);
        if (translation.Messages.Count == 0)
        {
            LogNothingToPublish(requestId, translation.Ignored);
            return WebhookOutcome.Accepted;
        }

        // Each publish completes when RabbitMQ confirms it. The HTTP answer is bounded, the publishes are
        // not cancelled: cancelling an in-flight publish can corrupt the channel's confirm tracking.
        var confirmations = translation.Messages.Select(message =>
            publisher.Publish(message, context => context.MessageId = MessageIds.For(message.BotUserId, message.EventId), CancellationToken.None));
        try
        {
            await Task.WhenAll(confirmations).WaitAsync(options.Value.PublishTimeout, cancellationToken);
        }
        catch (TimeoutException)
        {
            LogPublishTimedOut(requestId, translation.Messages.Count, options.Value.PublishTimeout);
            return WebhookOutcome.BrokerUnavailable;
        }
        catch (Exception exception) when (exception is not OperationCanceledException)
        {
            LogPublishFailed(requestId, translation.Messages.Count, exception);
            return WebhookOutcome.BrokerUnavailable;
        }

        LogPublished(requestId, translation.Messages.Count, translation.Ignored);
        return WebhookOutcome.Accepted;
    }

    [LoggerMessage(LogLevel.Warning, "Webhook {RequestId}: the body ({Length} bytes) is not a valid X event (JSON error at {JsonPath}, line {Line}, byte {Position}).")]
    private partial void LogMalformedBody(string requestId, int length, string? jsonPath, long? line, long? position);

    [LoggerMessage(LogLevel.Debug, "Webhook {RequestId}: nothing to publish ({Ignored} events ignored).")]
    private partial void LogNothingToPublish(string requestId, int ignored);

    [LoggerMessage(LogLevel.Information, "Webhook {RequestId}: {Count} messages confirmed by the broker ({Ignored} events ignored).")]
    private partial void LogPublished(string requestId, int count, int ignored);

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
}
