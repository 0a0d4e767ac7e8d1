using System.Text.Json;
using System.Text.Json.Serialization;

namespace TwitterBot.Ingress.Webhooks;

/// <summary>
/// The Account Activity API envelope X POSTs to the webhook, reduced to what we read. Every id is a
/// string: X's numeric ids exceed 2^53, so they are never read through a number.
/// </summary>
public sealed class AccountActivityEvent
{
    public string? ForUserId { get; init; }

    public IReadOnlyList<DirectMessageEvent>? DirectMessageEvents { get; init; }

    public IReadOnlyDictionary<string, XUser>? Users { get; init; }

    public static AccountActivityEvent Parse(ReadOnlySpan<byte> json) =>
        JsonSerializer.Deserialize(json, XWebhookJsonContext.Default.AccountActivityEvent)
        ?? throw new JsonException("The webhook body is the JSON literal null.");
}

public sealed class DirectMessageEvent
{
    public string? Type { get; init; }

    public string? Id { get; init; }

    public string? CreatedTimestamp { get; init; }

    public MessageCreate? MessageCreate { get; init; }
}

public sealed class MessageCreate
{
    public MessageTarget? Target { get; init; }

    public string? SenderId { get; init; }

    public MessageData? MessageData { get; init; }
}

public sealed class MessageTarget
{
    public string? RecipientId { get; init; }
}

public sealed class MessageData
{
    public string? Text { get; init; }

    public QuickReplyResponse? QuickReplyResponse { get; init; }
}

public sealed class QuickReplyResponse
{
    public string? Type { get; init; }

    public string? Metadata { get; init; }
}

public sealed class XUser
{
    public string? Id { get; init; }

    public string? Name { get; init; }

    public string? ScreenName { get; init; }
}

[JsonSourceGenerationOptions(PropertyNamingPolicy = JsonKnownNamingPolicy.SnakeCaseLower)]
[JsonSerializable(typeof(AccountActivityEvent))]
internal sealed partial class XWebhookJsonContext : JsonSerializerContext;
