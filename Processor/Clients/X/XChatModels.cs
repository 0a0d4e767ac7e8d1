using System.Text.Json.Serialization;

namespace TwitterBot.Processor.Clients.X;

// X's XChat request and answer bodies (X's OpenAPI schema names in the comments). Keys, events and signatures are the
// base64 strings X uses, opaque here: the XChat protocol reads them. Versions are strings of digits, as X writes them.

/// <summary><c>GetUsersPublicKeyResponse</c>.</summary>
public sealed record XChatPublicKeysResponse(IReadOnlyList<XChatPublicKey>? Data);

/// <summary><c>PublicKey</c>: the identity key (ECDH), the signing key (ECDSA), the identity's signature over the signing key, and their version.</summary>
public sealed record XChatPublicKey(string? PublicKey, string? SigningPublicKey, string? IdentityPublicKeySignature, string? PublicKeyVersion);

/// <summary><c>AddUserPublicKeyRequest</c>: <paramref name="GenerateVersion"/> asks X to assign the version.</summary>
public sealed record XChatAddPublicKeyRequest(XChatNewPublicKey PublicKey, string Version, bool? GenerateVersion = null);

/// <summary><c>AddUserPublicKeyPublicKey</c>.</summary>
public sealed record XChatNewPublicKey(
    string PublicKey,
    string SigningPublicKey,
    string? IdentityPublicKeySignature = null,
    string? SigningPublicKeySignature = null,
    string? PublicKeyFingerprint = null,
    string? RegistrationMethod = null);

/// <summary><c>AddUserPublicKeyResponse</c>.</summary>
public sealed record XChatAddPublicKeyResponse(XChatAddedPublicKey? Data);

public sealed record XChatAddedPublicKey(string? PublicKeyVersion);

/// <summary><c>GetChatConversationResponse</c>.</summary>
public sealed record XChatConversationResponse(XChatConversation? Data);

/// <summary><c>ChatConversation</c>, the parts the bridge reads.</summary>
public sealed record XChatConversation(
    string? Id, string? Type, IReadOnlyList<string>? ParticipantIds = null, IReadOnlyList<string>? MemberIds = null, DateTimeOffset? CreatedAt = null, DateTimeOffset? UpdatedAt = null);

/// <summary><c>GetChatConversationEventsResponse</c>.</summary>
public sealed record XChatConversationEventsResponse(IReadOnlyList<XChatMessageEvent>? Data, XChatConversationEventsMeta? Meta = null);

/// <summary><c>ChatMessageEvent</c>.</summary>
public sealed record XChatMessageEvent(
    string? Id, string? ConversationId, string? SenderId, string? EncodedEvent, DateTimeOffset? CreatedAt = null, string? PreviousId = null);

/// <summary>The page's meta: every key-change event of the conversation (base64), and the next page's token.</summary>
public sealed record XChatConversationEventsMeta(
    IReadOnlyList<string>? ConversationKeyEvents, string? NextToken = null, bool? HasMore = null, int? ResultCount = null);

/// <summary><c>SendChatMessageRequest</c>: <paramref name="MessageId"/> is minted once per reply and reused on every retry.</summary>
public sealed record XChatSendMessageRequest(
    string MessageId, string EncodedMessageCreateEvent, string? EncodedMessageEventSignature, string? ConversationToken = null);

/// <summary><c>SendChatMessageResponse</c>.</summary>
public sealed record XChatSendMessageResponse(XChatSentMessage? Data);

/// <summary>X's own base64 Thrift event for the message it stored.</summary>
public sealed record XChatSentMessage(string? EncodedMessageEvent);

/// <summary><c>SendChatTypingIndicatorResponse</c>.</summary>
public sealed record XChatTypingResponse(XChatTyping? Data);

public sealed record XChatTyping(bool? Success);

[JsonSourceGenerationOptions(
    PropertyNamingPolicy = JsonKnownNamingPolicy.SnakeCaseLower,
    DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull)]
[JsonSerializable(typeof(XChatPublicKeysResponse))]
[JsonSerializable(typeof(XChatAddPublicKeyRequest))]
[JsonSerializable(typeof(XChatAddPublicKeyResponse))]
[JsonSerializable(typeof(XChatConversationResponse))]
[JsonSerializable(typeof(XChatConversationEventsResponse))]
[JsonSerializable(typeof(XChatSendMessageRequest))]
[JsonSerializable(typeof(XChatSendMessageResponse))]
[JsonSerializable(typeof(XChatTypingResponse))]
public sealed partial class XChatJsonContext : JsonSerializerContext;
