using System.Text.Json;
using System.Text.Json.Serialization;

namespace TwitterBot.Ingress.Webhooks;

/// <summary>
/// Every top-level shape X POSTs to the webhook: the Account Activity API envelope (<c>for_user_id</c>,
/// <c>direct_message_events</c>, <c>users</c>, <c>user_event</c>, <c>replay_job_status</c>, other
/// <c>*_events</c>) and the X Activity API envelope (<c>data</c>). <see cref="WebhookEnvelope"/> decides
/// which one arrived. Ids are strings; where X writes a number we keep its digits, never a double.
/// </summary>
public sealed class WebhookBody
{
    [JsonConverter(typeof(IdConverter))]
    public string? ForUserId { get; init; }

    public IReadOnlyList<DirectMessageEvent>? DirectMessageEvents { get; init; }

    public IReadOnlyDictionary<string, XUser>? Users { get; init; }

    public UserEvent? UserEvent { get; init; }

    public ReplayJobStatus? ReplayJobStatus { get; init; }

    /// <summary>X Activity API envelope.</summary>
    public ActivityEvent? Data { get; init; }

    /// <summary>Top-level members we do not model (follows, tweets, likes, …): counted, never published.</summary>
    [JsonExtensionData]
    public Dictionary<string, JsonElement>? Unmodelled { get; set; }

    public static WebhookBody Parse(ReadOnlySpan<byte> json) =>
        JsonSerializer.Deserialize(json, XWebhookJsonContext.Default.WebhookBody)
        ?? throw new JsonException("The webhook body is the JSON literal null.");
}

public sealed class ActivityEvent
{
    public string? EventUuid { get; init; }

    public string? EventType { get; init; }

    public ActivityFilter? Filter { get; init; }

    public string? Tag { get; init; }

    public ActivityPayload? Payload { get; init; }
}

public sealed class ActivityFilter
{
    [JsonConverter(typeof(IdConverter))]
    public string? UserId { get; init; }
}

public sealed class ActivityPayload
{
    public IReadOnlyList<DirectMessageEvent>? DirectMessageEvents { get; init; }

    /// <summary>In this envelope each user is wrapped: <c>{"id": {"data": {…}}}</c>.</summary>
    public IReadOnlyDictionary<string, WrappedUser>? Users { get; init; }
}

public sealed class WrappedUser
{
    public XUser? Data { get; init; }
}

public sealed class DirectMessageEvent
{
    public string? Type { get; init; }

    [JsonConverter(typeof(IdConverter))]
    public string? Id { get; init; }

    public string? CreatedTimestamp { get; init; }

    public InitiatedVia? InitiatedVia { get; init; }

    public MessageCreate? MessageCreate { get; init; }
}

public sealed class InitiatedVia
{
    [JsonConverter(typeof(IdConverter))]
    public string? TweetId { get; init; }

    [JsonConverter(typeof(IdConverter))]
    public string? WelcomeMessageId { get; init; }
}

public sealed class MessageCreate
{
    public MessageTarget? Target { get; init; }

    [JsonConverter(typeof(IdConverter))]
    public string? SenderId { get; init; }

    public MessageData? MessageData { get; init; }
}

public sealed class MessageTarget
{
    [JsonConverter(typeof(IdConverter))]
    public string? RecipientId { get; init; }
}

public sealed class MessageData
{
    public string? Text { get; init; }

    public MessageEntities? Entities { get; init; }

    public QuickReplyResponse? QuickReplyResponse { get; init; }

    public MessageAttachment? Attachment { get; init; }
}

public sealed class MessageEntities
{
    public IReadOnlyList<UrlEntity>? Urls { get; init; }
}

public sealed class UrlEntity
{
    public string? Url { get; init; }

    public string? ExpandedUrl { get; init; }
}

public sealed class QuickReplyResponse
{
    public string? Type { get; init; }

    public string? Metadata { get; init; }
}

public sealed class MessageAttachment
{
    public string? Type { get; init; }

    public MediaEntity? Media { get; init; }
}

public sealed class MediaEntity
{
    /// <summary>X sends the id both as a number (<c>id</c>, beyond 2^53) and as a string (<c>id_str</c>).</summary>
    [JsonConverter(typeof(IdConverter))]
    public string? Id { get; init; }

    public string? IdStr { get; init; }

    public string? Type { get; init; }

    public string? MediaUrlHttps { get; init; }

    /// <summary>The t.co link X appends to the DM text for the attachment.</summary>
    public string? Url { get; init; }
}

public sealed class XUser
{
    [JsonConverter(typeof(IdConverter))]
    public string? Id { get; init; }

    public string? Name { get; init; }

    public string? ScreenName { get; init; }

    /// <summary>The v2 name for <see cref="ScreenName"/>, used by the X Activity API.</summary>
    public string? Username { get; init; }
}

public sealed class UserEvent
{
    public RevokeEvent? Revoke { get; init; }
}

public sealed class RevokeEvent
{
    public string? DateTime { get; init; }

    public RevokeTarget? Target { get; init; }

    public RevokeSource? Source { get; init; }
}

public sealed class RevokeTarget
{
    [JsonConverter(typeof(IdConverter))]
    public string? AppId { get; init; }
}

public sealed class RevokeSource
{
    [JsonConverter(typeof(IdConverter))]
    public string? UserId { get; init; }
}

public sealed class ReplayJobStatus
{
    [JsonConverter(typeof(IdConverter))]
    public string? WebhookId { get; init; }

    [JsonConverter(typeof(IdConverter))]
    public string? JobId { get; init; }

    public string? JobState { get; init; }

    public string? JobStateDescription { get; init; }
}

/// <summary>Reads an id written as a JSON string or as a JSON integer (parsed as a 64-bit integer, never a double).</summary>
public sealed class IdConverter : JsonConverter<string>
{
    public override string? Read(ref Utf8JsonReader reader, Type typeToConvert, JsonSerializerOptions options) => reader.TokenType switch
    {
        JsonTokenType.String => reader.GetString(),
        JsonTokenType.Number when reader.TryGetUInt64(out var id) => id.ToString(System.Globalization.CultureInfo.InvariantCulture),
        JsonTokenType.Null => null,
        _ => throw new JsonException($"An id must be a string or a whole number, not {reader.TokenType}."),
    };

    public override void Write(Utf8JsonWriter writer, string value, JsonSerializerOptions options) => writer.WriteStringValue(value);
}

[JsonSourceGenerationOptions(PropertyNamingPolicy = JsonKnownNamingPolicy.SnakeCaseLower)]
[JsonSerializable(typeof(WebhookBody))]
internal sealed partial class XWebhookJsonContext : JsonSerializerContext;
