using System.Net.Http.Json;
using System.Text.Json;
using System.Text.Json.Serialization;

namespace TwitterBot.Processor.Clients.X;

/// <summary>Sends Direct Messages through X's v1.1 <c>direct_messages/events/new.json</c>, as a bot account.</summary>
public sealed class XDirectMessageClient(HttpClient http)
{
    public const string SendPath = "direct_messages/events/new.json";

    public async Task SendTextAsync(XUserToken bot, string recipientId, string text, CancellationToken cancellationToken)
    {
        var body = new NewDirectMessageRequest(new NewDirectMessageEvent(
            "message_create",
            new NewMessageCreate(new NewMessageTarget(recipientId), new NewMessageData(text))));

        using var request = new HttpRequestMessage(HttpMethod.Post, SendPath)
        {
            Content = JsonContent.Create(body, XApiJsonContext.Default.NewDirectMessageRequest),
        };
        request.Options.Set(XUserToken.OptionKey, bot);

        using var response = await http.SendAsync(request, cancellationToken);
        if (!response.IsSuccessStatusCode)
        {
            throw await XApiException.FromResponseAsync(response, cancellationToken);
        }
    }
}

/// <summary>X answered a request with an error status; carries X's own error codes and messages.</summary>
public sealed class XApiException(int statusCode, IReadOnlyList<XApiError> errors)
    : Exception($"X answered {statusCode}: {(errors.Count == 0 ? "no error details" : string.Join("; ", errors.Select(e => $"{e.Code} {e.Message}")))}")
{
    public int StatusCode { get; } = statusCode;

    public IReadOnlyList<XApiError> Errors { get; } = errors;

    public static async Task<XApiException> FromResponseAsync(HttpResponseMessage response, CancellationToken cancellationToken)
    {
        IReadOnlyList<XApiError> errors = [];
        try
        {
            var body = await response.Content.ReadFromJsonAsync(XApiJsonContext.Default.XErrorResponse, cancellationToken);
            errors = body?.Errors ?? [];
        }
        catch (JsonException)
        {
            // Not X's JSON error shape (e.g. a proxy's HTML page): the status code is all we know.
        }

        return new XApiException((int)response.StatusCode, errors);
    }
}

public sealed record XApiError(int Code, string? Message);

public sealed record XErrorResponse(IReadOnlyList<XApiError>? Errors);

public sealed record NewDirectMessageRequest(NewDirectMessageEvent Event);

public sealed record NewDirectMessageEvent(string Type, NewMessageCreate MessageCreate);

public sealed record NewMessageCreate(NewMessageTarget Target, NewMessageData MessageData);

public sealed record NewMessageTarget(string RecipientId);

public sealed record NewMessageData(string Text);

[JsonSourceGenerationOptions(PropertyNamingPolicy = JsonKnownNamingPolicy.SnakeCaseLower)]
[JsonSerializable(typeof(NewDirectMessageRequest))]
[JsonSerializable(typeof(XErrorResponse))]
public sealed partial class XApiJsonContext : JsonSerializerContext;
