using System.Text.Json.Serialization;

namespace TwitterBot.Processor.Clients.X;

public sealed record XApiError(int Code, string? Message);

public sealed record DirectMessageEventList(IReadOnlyList<ListedDirectMessageEvent>? Events, string? NextCursor = null);

public sealed record ListedDirectMessageEvent(string? Type, string? Id, string? CreatedTimestamp, ListedMessageCreate? MessageCreate);

public sealed record ListedMessageCreate(string? SenderId, NewMessageTarget? Target, ListedMessageData? MessageData);

public sealed record ListedMessageData(string? Text, ListedEntities? Entities = null, ListedQuickReply? QuickReply = null, ListedAttachment? Attachment = null);

public sealed record ListedEntities(IReadOnlyList<ListedUrl>? Urls);

/// <param name="MediaKey">v2: set on the link X appended for an attachment.</param>
public sealed record ListedUrl(string? Url, string? ExpandedUrl, string? MediaKey = null);

public sealed record ListedQuickReply(IReadOnlyList<NewQuickReplyOption>? Options);

public sealed record ListedAttachment(ListedMedia? Media);

/// <param name="Url">The t.co link X appended to the text for the attachment.</param>
public sealed record ListedMedia(string? Url);

public sealed record SentDirectMessageEvent(ListedDirectMessageEvent? Event);

public sealed record V2SentMessage(V2SentMessageData? Data);

public sealed record V2SentMessageData(string? DmConversationId, string? DmEventId);

public sealed record V2NewMessage(string Text, IReadOnlyList<V2Attachment>? Attachments);

public sealed record V2Attachment(string MediaId);

public sealed record V2DmEventList(IReadOnlyList<V2DmEvent>? Data, V2ListMeta? Meta = null);

public sealed record V2ListMeta(string? NextToken);

public sealed record V2DmEvent(string? Id, string? Text, string? SenderId, DateTimeOffset? CreatedAt, V2DmAttachments? Attachments = null, ListedEntities? Entities = null);

public sealed record V2DmAttachments(IReadOnlyList<string>? MediaKeys);

/// <summary>v1.1 lists coded errors; v2 answers a problem document (<c>title</c>, <c>detail</c>) whose errors carry no code.</summary>
public sealed record XErrorResponse(IReadOnlyList<XApiError>? Errors, string? Title = null, string? Detail = null);

public sealed record NewDirectMessageRequest(NewDirectMessageEvent Event);

public sealed record NewDirectMessageEvent(string Type, NewMessageCreate MessageCreate);

public sealed record NewMessageCreate(NewMessageTarget Target, NewMessageData MessageData);

public sealed record NewMessageTarget(string RecipientId);

public sealed record NewMessageData(string Text, NewQuickReply? QuickReply, NewAttachment? Attachment);

public sealed record NewAttachment(string Type, NewAttachedMedia Media);

public sealed record NewAttachedMedia(string Id);

public sealed record NewQuickReply(string Type, IReadOnlyList<NewQuickReplyOption> Options);

public sealed record NewQuickReplyOption(string Label, string? Description, string? Metadata);

[JsonSourceGenerationOptions(
    PropertyNamingPolicy = JsonKnownNamingPolicy.SnakeCaseLower,
    DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull)]
[JsonSerializable(typeof(NewDirectMessageRequest))]
[JsonSerializable(typeof(XErrorResponse))]
[JsonSerializable(typeof(DirectMessageEventList))]
[JsonSerializable(typeof(V2NewMessage))]
[JsonSerializable(typeof(V2DmEventList))]
[JsonSerializable(typeof(SentDirectMessageEvent))]
[JsonSerializable(typeof(V2SentMessage))]
public sealed partial class XApiJsonContext : JsonSerializerContext;
