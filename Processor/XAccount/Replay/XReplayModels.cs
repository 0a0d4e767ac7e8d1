using System.Text.Json.Serialization;

namespace TwitterBot.Processor.XAccount.Replay;

public sealed record XReplayJob(string JobId, string? CreatedAt);

/// <summary>v2's replay answers: documented as <c>{"job_id", "created_at"}</c>; read inside <c>data</c> too, as other v2 answers are wrapped.</summary>
public sealed record XReplayJobAnswer(string? JobId, string? CreatedAt, XReplayJob? Data)
{
    public XReplayJob? Job => Data ?? (JobId is { } id ? new XReplayJob(id, CreatedAt) : null);
}

public sealed record WebhookReplayRequest(string WebhookId, string FromDate, string ToDate);

public sealed record V1HistoryPage(IReadOnlyList<V1HistoryEvent>? Events, string? NextCursor = null);

/// <param name="CreatedTimestamp">Milliseconds since the epoch, as a string.</param>
public sealed record V1HistoryEvent(string? Type, string? Id, string? CreatedTimestamp, V1HistoryMessageCreate? MessageCreate);

public sealed record V1HistoryMessageCreate(string? SenderId, V1HistoryTarget? Target, V1HistoryMessageData? MessageData);

public sealed record V1HistoryTarget(string? RecipientId);

public sealed record V1HistoryMessageData(string? Text, HistoryEntities? Entities = null, V1QuickReplyResponse? QuickReplyResponse = null, V1HistoryAttachment? Attachment = null);

public sealed record HistoryEntities(IReadOnlyList<HistoryUrl>? Urls);

/// <param name="MediaKey">v2: set on the link X appended for an attachment.</param>
public sealed record HistoryUrl(string? Url, string? ExpandedUrl, string? MediaKey = null);

public sealed record V1QuickReplyResponse(string? Type, string? Metadata);

public sealed record V1HistoryAttachment(string? Type, V1HistoryMedia? Media);

/// <param name="Url">The t.co link X appended to the text for the attachment.</param>
public sealed record V1HistoryMedia(string? IdStr, string? Type, string? Url, string? MediaUrlHttps);

public sealed record V2HistoryPage(IReadOnlyList<V2HistoryEvent>? Data, V2HistoryIncludes? Includes = null, V2HistoryMeta? Meta = null);

/// <param name="DmConversationId">A one-to-one conversation's id is its two user ids joined by <c>-</c>.</param>
public sealed record V2HistoryEvent(string? Id, string? EventType, string? Text, string? SenderId, DateTimeOffset? CreatedAt, string? DmConversationId, HistoryEntities? Entities = null);

public sealed record V2HistoryIncludes(IReadOnlyList<V2HistoryUser>? Users);

public sealed record V2HistoryUser(string? Id, string? Name, string? Username);

public sealed record V2HistoryMeta(int? ResultCount, string? NextToken);

[JsonSourceGenerationOptions(
    PropertyNamingPolicy = JsonKnownNamingPolicy.SnakeCaseLower,
    NumberHandling = JsonNumberHandling.AllowReadingFromString,
    DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull)]
[JsonSerializable(typeof(XReplayJob))]
[JsonSerializable(typeof(XReplayJobAnswer))]
[JsonSerializable(typeof(WebhookReplayRequest))]
[JsonSerializable(typeof(V1HistoryPage))]
[JsonSerializable(typeof(V2HistoryPage))]
public sealed partial class ReplayJsonContext : JsonSerializerContext;
