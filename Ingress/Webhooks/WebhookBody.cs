using System.Globalization;
using System.Text.Json;
using System.Text.Json.Serialization;
using System.Text.Json.Serialization.Metadata;

namespace TwitterBot.Ingress.Webhooks;

/// <summary>
/// Every top-level shape X POSTs to the webhook: the Account Activity API envelope (<c>for_user_id</c>,
/// <c>direct_message_events</c>, <c>users</c>, <c>user_event</c>, <c>replay_job_status</c>, other
/// <c>*_events</c>) and the X Activity API envelope (<c>data</c>). <see cref="WebhookEnvelope"/> decides
/// which one arrived. Ids are strings of a 64-bit number's digits; where X writes a number we keep its
/// digits, never a double. Each event and each user is read <see cref="Isolated{T}"/>: one that does not
/// convert costs only itself, while a body that is not well-formed JSON, or whose envelope members have
/// the wrong types, fails as a whole.
/// </summary>
public sealed class WebhookBody
{
    [JsonConverter(typeof(IdConverter))]
    public string? ForUserId { get; init; }

    public IReadOnlyList<Isolated<DirectMessageEvent>>? DirectMessageEvents { get; init; }

    public IReadOnlyDictionary<string, Isolated<XUser>>? Users { get; init; }

    public Isolated<UserEvent>? UserEvent { get; init; }

    public Isolated<ReplayJobStatus>? ReplayJobStatus { get; init; }

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
    /// <summary>A string today (docs.x.com x-api/activity/event-payloads: a signed 64-bit number's digits); a JSON integer is read as its digits.</summary>
    [JsonConverter(typeof(EventUuidConverter))]
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

    /// <summary>
    /// X's optional scope of a subscription (<c>inbound</c>/<c>outbound</c> in X's OpenAPI; its changelog says
    /// <c>sent</c>/<c>received</c>). Read, never relied on: the event type says which way a DM went.
    /// </summary>
    public string? Direction { get; init; }
}

public sealed class ActivityPayload
{
    public IReadOnlyList<Isolated<DirectMessageEvent>>? DirectMessageEvents { get; init; }

    /// <summary>In this envelope each user is wrapped: <c>{"id": {"data": {…}}}</c>.</summary>
    public IReadOnlyDictionary<string, Isolated<WrappedUser>>? Users { get; init; }

    // XChat (chat.received / chat.sent, docs.x.com xchat/real-time-events, "Payload shape (live)"): ciphertext only.

    /// <summary>XChat: <c>min-max</c> of the two user ids for a one-to-one conversation, <c>g…</c> for a group.</summary>
    public string? ConversationId { get; init; }

    /// <summary>XChat: the sender's user id.</summary>
    [JsonConverter(typeof(IdConverter))]
    public string? SenderId { get; init; }

    /// <summary>XChat: base64 of the Thrift event, opaque to the Ingress.</summary>
    public string? EncodedEvent { get; init; }

    /// <summary>XChat: the conversation key version the event is under (digits; X writes a string, a JSON integer is read as its digits).</summary>
    [JsonConverter(typeof(IdConverter))]
    public string? ConversationKeyVersion { get; init; }

    /// <summary>XChat: base64 of the key change the event depends on, when X attaches one.</summary>
    public string? ConversationKeyChangeEvent { get; init; }
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

    /// <summary>X writes Unix milliseconds as a string of digits.</summary>
    [JsonConverter(typeof(UnixMillisecondsConverter))]
    public DateTimeOffset? CreatedTimestamp { get; init; }

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

public sealed class MessageEntities : IJsonOnDeserialized
{
    public IReadOnlyList<UrlEntity>? Urls { get; init; }

    void IJsonOnDeserialized.OnDeserialized()
    {
        if (Urls is not null && Urls.Any(url => url is null))
        {
            throw new JsonException("entities.urls holds null.");
        }
    }
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

/// <summary>
/// Reads an id written as a JSON string of digits or as a JSON integer, either way a 64-bit unsigned number
/// (never read through a double). An empty string is no id. Anything else does not convert.
/// </summary>
public sealed class IdConverter : JsonConverter<string>
{
    public override string? Read(ref Utf8JsonReader reader, Type typeToConvert, JsonSerializerOptions options) => reader.TokenType switch
    {
        JsonTokenType.String when reader.GetString() is { } id && (id.Length == 0 || IsId(id)) => id.Length == 0 ? null : id,
        JsonTokenType.Number when reader.TryGetUInt64(out var id) => id.ToString(CultureInfo.InvariantCulture),
        JsonTokenType.Null => null,
        _ => throw new JsonException($"An id must be a 64-bit number written as digits, not this {reader.TokenType}."),
    };

    public override void Write(Utf8JsonWriter writer, string value, JsonSerializerOptions options) => writer.WriteStringValue(value);

    private static bool IsId(string id) => ulong.TryParse(id, NumberStyles.None, CultureInfo.InvariantCulture, out _);
}

/// <summary>Reads an X Activity <c>event_uuid</c>: any string as it is, or a JSON integer (signed) as its digits.</summary>
public sealed class EventUuidConverter : JsonConverter<string>
{
    public override string? Read(ref Utf8JsonReader reader, Type typeToConvert, JsonSerializerOptions options) => reader.TokenType switch
    {
        JsonTokenType.String => reader.GetString() is { Length: > 0 } uuid ? uuid : null,
        JsonTokenType.Number when reader.TryGetInt64(out var signed) => signed.ToString(CultureInfo.InvariantCulture),
        JsonTokenType.Number when reader.TryGetUInt64(out var unsigned) => unsigned.ToString(CultureInfo.InvariantCulture),
        JsonTokenType.Null => null,
        _ => throw new JsonException($"An event_uuid must be a string or an integer, not this {reader.TokenType}."),
    };

    public override void Write(Utf8JsonWriter writer, string value, JsonSerializerOptions options) => writer.WriteStringValue(value);
}

/// <summary>Reads X's Unix milliseconds, a string of digits, as a time DateTimeOffset can hold; nothing else converts.</summary>
public sealed class UnixMillisecondsConverter : JsonConverter<DateTimeOffset>
{
    private static readonly long MaxMilliseconds = DateTimeOffset.MaxValue.ToUnixTimeMilliseconds();

    public override DateTimeOffset Read(ref Utf8JsonReader reader, Type typeToConvert, JsonSerializerOptions options) =>
        reader.TokenType == JsonTokenType.String
        && long.TryParse(reader.GetString(), NumberStyles.None, CultureInfo.InvariantCulture, out var milliseconds)
        && milliseconds <= MaxMilliseconds
            ? DateTimeOffset.FromUnixTimeMilliseconds(milliseconds)
            : throw new JsonException("A timestamp must be Unix milliseconds written as a string of digits, within the years 1970 to 9999.");

    public override void Write(Utf8JsonWriter writer, DateTimeOffset value, JsonSerializerOptions options) =>
        writer.WriteStringValue(value.ToUnixTimeMilliseconds().ToString(CultureInfo.InvariantCulture));
}

/// <summary>
/// A value read on its own: when it does not convert (a JSON type other than the one expected, an id that
/// is not a 64-bit number, a timestamp out of range), only it is lost, and <see cref="Problem"/> names
/// where inside it the conversion failed. JSON that is not well-formed still fails the whole body.
/// </summary>
[JsonConverter(typeof(IsolatedConverterFactory))]
public readonly record struct Isolated<T>(T? Value, string? Problem)
    where T : class;

public sealed class IsolatedConverterFactory : JsonConverterFactory
{
    public override bool CanConvert(Type typeToConvert) =>
        typeToConvert.IsGenericType && typeToConvert.GetGenericTypeDefinition() == typeof(Isolated<>);

    public override JsonConverter CreateConverter(Type typeToConvert, JsonSerializerOptions options) =>
        (JsonConverter)Activator.CreateInstance(typeof(IsolatedConverter<>).MakeGenericType(typeToConvert.GetGenericArguments()[0]))!;

    private sealed class IsolatedConverter<T> : JsonConverter<Isolated<T>>
        where T : class
    {
        public override Isolated<T> Read(ref Utf8JsonReader reader, Type typeToConvert, JsonSerializerOptions options)
        {
            if (reader.TokenType == JsonTokenType.Null)
            {
                return new Isolated<T>(null, "$ is null");
            }

            var start = reader;
            try
            {
                return new Isolated<T>(JsonSerializer.Deserialize(ref reader, (JsonTypeInfo<T>)options.GetTypeInfo(typeof(T))), null);
            }
            catch (JsonException exception)
            {
                // Back to the value's first token, then past the whole value: this throws again, failing the
                // body, only when the JSON is not well-formed.
                reader = start;
                reader.Skip();
                return new Isolated<T>(null, exception.Path ?? "$");
            }
        }

        public override void Write(Utf8JsonWriter writer, Isolated<T> value, JsonSerializerOptions options)
        {
            if (value.Value is { } readable)
            {
                JsonSerializer.Serialize(writer, readable, (JsonTypeInfo<T>)options.GetTypeInfo(typeof(T)));
            }
            else
            {
                writer.WriteNullValue();
            }
        }
    }
}

[JsonSourceGenerationOptions(PropertyNamingPolicy = JsonKnownNamingPolicy.SnakeCaseLower)]
[JsonSerializable(typeof(WebhookBody))]
[JsonSerializable(typeof(DirectMessageEvent))]
[JsonSerializable(typeof(XUser))]
[JsonSerializable(typeof(WrappedUser))]
[JsonSerializable(typeof(UserEvent))]
[JsonSerializable(typeof(ReplayJobStatus))]
internal sealed partial class XWebhookJsonContext : JsonSerializerContext;
