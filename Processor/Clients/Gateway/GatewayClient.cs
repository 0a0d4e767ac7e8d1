using System.Net.Http.Json;
using System.Text.Json;
using System.Text.Json.Serialization;

namespace TwitterBot.Processor.Clients.Gateway;

/// <summary>The chatbot platform's Gateway API: <c>POST {Gateway:Url}/gateway</c>, behind its circuit breaker.</summary>
public sealed class GatewayClient(HttpClient http, GatewayCircuit circuit)
{
    public Task<GatewayResponse> AskAsync(GatewayRequest request, CancellationToken cancellationToken) =>
        circuit.ExecuteAsync(token => SendAsync(request, token), cancellationToken);

    private async Task<GatewayResponse> SendAsync(GatewayRequest request, CancellationToken cancellationToken)
    {
        HttpResponseMessage response;
        try
        {
            response = await http.PostAsJsonAsync("gateway", request, GatewayJsonContext.Default.GatewayRequest, cancellationToken);
        }
        catch (HttpRequestException exception)
        {
            throw new GatewayException($"The gateway is unreachable: {exception.Message}", exception);
        }
        catch (TaskCanceledException exception) when (!cancellationToken.IsCancellationRequested)
        {
            throw new GatewayException($"The gateway did not answer within {http.Timeout}.", exception);
        }

        using (response)
        {
            if (!response.IsSuccessStatusCode)
            {
                throw new GatewayException($"The gateway answered {(int)response.StatusCode} {response.ReasonPhrase}.");
            }

            try
            {
                return await response.Content.ReadFromJsonAsync(GatewayJsonContext.Default.GatewayResponse, cancellationToken)
                    ?? throw new GatewayException("The gateway answered the JSON literal null.");
            }
            catch (Exception exception) when (exception is JsonException or NotSupportedException)
            {
                throw new GatewayException("The gateway's answer is not JSON of the documented shape.", exception);
            }
        }
    }
}

/// <summary>The gateway failed (unreachable, timed out, non-2xx, not JSON): retried, then dead-lettered.</summary>
public sealed class GatewayException : Exception
{
    public GatewayException(string message) : base(message) { }

    public GatewayException(string message, Exception innerException) : base(message, innerException) { }
}

/// <summary>The documented request body; every field but <c>extra_data</c> is required.</summary>
public sealed record GatewayRequest(
    string Text,
    string Author,
    string Uuid,
    string Suid,
    string SourceType,
    IReadOnlyDictionary<string, string>? ExtraData);

public sealed record GatewayResponse(GatewayState? CurrentState, IReadOnlyList<GatewayReply>? Responses);

/// <summary>The flow state the bot reached, e.g. <c>say:Hello</c> or <c>redirect:agent</c>.</summary>
public sealed record GatewayState(string? Id, string? Name);

/// <summary>
/// One bot reaction. Quick replies come as <c>quick_replies</c> or <c>quickReplies</c>, each a plain string or
/// an object; attachments are objects with a URL. Their shapes are not published, so they are read loosely
/// (<see cref="Conversations.ReplyPlanner"/>) and what cannot be rendered is skipped, never fatal.
/// </summary>
public sealed record GatewayReply(
    string? Text,
    JsonElement? QuickReplies,
    [property: JsonPropertyName("quickReplies")] JsonElement? QuickRepliesCamelCase,
    JsonElement? Attachments)
{
    /// <summary>Members not modelled above, where a system command (end, hand-over) may be.</summary>
    [JsonExtensionData]
    public Dictionary<string, JsonElement>? Other { get; set; }
}

[JsonSourceGenerationOptions(
    PropertyNamingPolicy = JsonKnownNamingPolicy.SnakeCaseLower,
    DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull)]
[JsonSerializable(typeof(GatewayRequest))]
[JsonSerializable(typeof(GatewayResponse))]
public sealed partial class GatewayJsonContext : JsonSerializerContext;
