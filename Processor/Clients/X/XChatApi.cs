using Refit;

namespace TwitterBot.Processor.Clients.X;

/// <summary>
/// X's XChat routes (X's OpenAPI; docs.x.com x-api/chat/*, x-api/users/get-user-public-keys, x-api/chat/add-public-key),
/// at the host's root (<c>/2/…</c>) like <see cref="IXDirectMessagesV2Api"/>, called as a bot account:
/// <see cref="OAuth1SigningHandler"/> signs each request with the token passed in (X's OpenAPI lists OAuth 1.0a user
/// tokens for every one of them). Every event, key and signature travels as the opaque base64 X uses; outcomes are read
/// by <see cref="XChatClient"/> through <see cref="XResponses"/>, never here.
/// </summary>
public interface IXChatApi
{
    /// <summary>A user's registered XChat public keys (identity, signing, the identity's cross-signature, version).</summary>
    [Get("/2/users/{userId}/public_keys?public_key.fields=public_key,signing_public_key,identity_public_key_signature,public_key_version")]
    Task<IApiResponse<XChatPublicKeysResponse>> GetPublicKeysAsync(
        string userId, [Property(XUserToken.PropertyKey)] XUserToken bot, CancellationToken cancellationToken);

    /// <summary>Registers the bot's own public keys (only the bot may register its keys).</summary>
    [Post("/2/users/{userId}/public_keys")]
    Task<IApiResponse<XChatAddPublicKeyResponse>> AddPublicKeyAsync(
        string userId, [Body] XChatAddPublicKeyRequest request, [Property(XUserToken.PropertyKey)] XUserToken bot, CancellationToken cancellationToken);

    /// <summary>A conversation's metadata (type, participants).</summary>
    [Get("/2/chat/conversations/{conversationId}?chat_conversation.fields=id,type,created_at,updated_at")]
    Task<IApiResponse<XChatConversationResponse>> GetConversationAsync(
        string conversationId, [Property(XUserToken.PropertyKey)] XUserToken bot, CancellationToken cancellationToken);

    /// <summary>
    /// A conversation's message events, newest first, and in <c>meta.conversation_key_events</c> its key changes; paged
    /// with <c>pagination_token</c> / <c>meta.next_token</c>, 1 to 100 a page.
    /// </summary>
    [Get("/2/chat/conversations/{conversationId}/events?chat_message_event.fields=id,conversation_id,sender_id,encoded_event,created_at,previous_id")]
    Task<IApiResponse<XChatConversationEventsResponse>> GetConversationEventsAsync(
        string conversationId,
        [AliasAs("max_results")] int? maxResults,
        [AliasAs("pagination_token")] string? paginationToken,
        [Property(XUserToken.PropertyKey)] XUserToken bot,
        CancellationToken cancellationToken);

    /// <summary>Sends an encrypted, signed message; X dedupes on the client's <c>message_id</c>.</summary>
    [Post("/2/chat/conversations/{conversationId}/messages")]
    Task<IApiResponse<XChatSendMessageResponse>> SendMessageAsync(
        string conversationId, [Body] XChatSendMessageRequest message, [Property(XUserToken.PropertyKey)] XUserToken bot, CancellationToken cancellationToken);

    /// <summary>Shows the bot typing in the conversation; no body.</summary>
    [Post("/2/chat/conversations/{conversationId}/typing")]
    Task<IApiResponse<XChatTypingResponse>> SendTypingAsync(
        string conversationId, [Property(XUserToken.PropertyKey)] XUserToken bot, CancellationToken cancellationToken);
}
