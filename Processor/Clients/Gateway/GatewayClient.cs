using System.Diagnostics.Metrics;
using System.Net;
using System.Text.Json;
using System.Text.Json.Serialization;
using Microsoft.Extensions.Options;
using Refit;
using TwitterBot.Processor.Options;
using TwitterBot.Processor.Replies;

namespace TwitterBot.Processor.Clients.Gateway;

/// <summary>
/// The chatbot platform's Gateway API: <c>POST {Gateway:Url}/gateway</c>, behind its circuit breaker. It
/// answers in the bot's words (<see cref="BotAnswer"/>); the gateway's JSON stays in this folder.
/// </summary>
public sealed partial class GatewayClient(IGatewayApi api, GatewayCircuit circuit, GatewayTelemetry telemetry, IOptions<GatewayOptions> options, ILogger<GatewayClient> logger)
{
    public Task<BotAnswer> AskAsync(GatewayRequest request, CancellationToken cancellationToken) =>
        circuit.ExecuteAsync(token => SendAsync(request, token), cancellationToken);

    private async Task<BotAnswer> SendAsync(GatewayRequest request, CancellationToken cancellationToken)
    {
        // Refit reads the body after HttpClient returns (ResponseHeadersRead), past HttpClient.Timeout: our own
        // deadline covers the whole call, so a gateway that sends headers and then stalls is a timeout too.
        using var deadline = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        deadline.CancelAfter(options.Value.Timeout);
        var timedOut = () => deadline.IsCancellationRequested && !cancellationToken.IsCancellationRequested;
        IApiResponse<string> response;
        try
        {
            response = await api.AskAsync(request, deadline.Token);
        }
        catch (OperationCanceledException exception) when (timedOut())
        {
            throw TimedOut(exception);
        }

        using var _ = response;
        if (response.HasRequestError(out var failure))
        {
            // No answer arrived, or it broke off: unreachable, timed out, reset. Refit passes our own cancellation
            // through, and wraps the rest; the transport's own exception is kept (Refit's carries the request).
            var cause = failure.InnerException ?? failure;
            throw timedOut() || cause is TaskCanceledException ? TimedOut(cause) : new GatewayException($"The gateway is unreachable: {cause.Message}", cause);
        }

        // A response without a request error has a status.
        var status = response.StatusCode.GetValueOrDefault();
        if (!response.IsSuccessStatusCode)
        {
            throw new GatewayException($"The gateway answered {(int)status} {response.ReasonPhrase}.") { IsOutage = IsOutage(status) };
        }

        if (response.HasResponseError(out var unreadable))
        {
            var cause = unreadable.InnerException ?? unreadable;
            throw timedOut() ? TimedOut(cause) : new GatewayException($"The gateway's answer broke off: {cause.Message}", cause);
        }

        GatewayReading reading;
        try
        {
            using var json = JsonDocument.Parse(response.Content ?? string.Empty);
            reading = GatewayAnswers.Read(json.RootElement);
        }
        catch (JsonException exception) when (timedOut())
        {
            throw TimedOut(exception);
        }
        catch (JsonException exception)
        {
            // The gateway is up (it answered), so this does not count toward the circuit breaker.
            throw new GatewayException("The gateway's answer is not JSON.", exception) { IsOutage = false };
        }

        if (reading.Skipped.Count > 0)
        {
            telemetry.Skipped(reading.Skipped.Count);
            LogSkipped(logger, reading.Skipped.Count, string.Join("; ", reading.Skipped.Take(10)));
        }

        return reading.Answer;
    }

    private GatewayException TimedOut(Exception cause) => new($"The gateway did not answer within {options.Value.Timeout}.", cause);

    /// <summary>
    /// Which refusals mean the gateway is down or overloaded (5xx, 408, 429) and so feed the circuit breaker.
    /// Other 4xx are about one request (its text, its session): counting them would let one user's
    /// conversation pause everyone's; they are retried briefly, then dead-lettered (see <see cref="GatewayException.IsOutage"/>).
    /// </summary>
    public static bool IsOutage(HttpStatusCode status) =>
        (int)status >= 500 || status is HttpStatusCode.RequestTimeout or HttpStatusCode.TooManyRequests;

    [LoggerMessage(LogLevel.Warning, "The gateway's answer had {Count} parts that cannot be used; they were skipped and the rest planned: {Parts}")]
    private static partial void LogSkipped(ILogger logger, int count, string parts);
}

/// <summary>The gateway's instruments, on the Processor's meter.</summary>
public sealed class GatewayTelemetry
{
    private readonly Counter<long> _skipped;

    public GatewayTelemetry(IMeterFactory meters) =>
        _skipped = meters.Create("TwitterBot.Processor")
            .CreateCounter<long>("twitterbot.processor.gateway.skipped", "{part}", "Parts of gateway answers that could not be used (null, wrong JSON type, no usable URL) and were skipped.");

    public void Skipped(int parts) => _skipped.Add(parts);
}

/// <summary>The gateway failed (unreachable, timed out, non-2xx, not JSON): retried, then dead-lettered.</summary>
public sealed class GatewayException : Exception
{
    public GatewayException(string message) : base(message) { }

    public GatewayException(string message, Exception innerException) : base(message, innerException) { }

    /// <summary>
    /// Whether the failure says the gateway is down (feeds the circuit breaker; retried for as long as an outage may last),
    /// rather than that it gave one bad answer (retried twice, quickly, then dead-lettered: it holds the partition's other users).
    /// </summary>
    public bool IsOutage { get; init; } = true;
}

/// <summary>The documented request body; every field but <c>extra_data</c> is required.</summary>
public sealed record GatewayRequest(
    string Text,
    string Author,
    string Uuid,
    string Suid,
    string SourceType,
    IReadOnlyDictionary<string, string>? ExtraData);

[JsonSourceGenerationOptions(
    PropertyNamingPolicy = JsonKnownNamingPolicy.SnakeCaseLower,
    DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull)]
[JsonSerializable(typeof(GatewayRequest))]
public sealed partial class GatewayJsonContext : JsonSerializerContext;
