using Refit;

namespace TwitterBot.Processor.Clients.X;

/// <summary>
/// X API v1.1's Direct Message endpoints, relative to <c>TwitterBot:Api:TwitterUrl</c> (<c>…/1.1/</c>), called as
/// a bot account: <see cref="OAuth1SigningHandler"/> signs each request with the token passed in. Outcomes are
/// read by <see cref="XResponses"/>, never here.
/// </summary>
public interface IXDirectMessagesV1Api
{
    [Post("/direct_messages/events/new.json")]
    Task<IApiResponse<SentDirectMessageEvent>> SendAsync(
        [Body] NewDirectMessageRequest message, [Property(XUserToken.PropertyKey)] XUserToken bot, CancellationToken cancellationToken);

    /// <summary>The bot's DM events of the last 30 days, newest first, 50 a page.</summary>
    [Get("/direct_messages/events/list.json?count=50")]
    Task<IApiResponse<DirectMessageEventList>> ListAsync(
        [Query] string? cursor, [Property(XUserToken.PropertyKey)] XUserToken bot, CancellationToken cancellationToken);

    [Post("/direct_messages/indicate_typing.json")]
    Task<IApiResponse> IndicateTypingAsync(
        [Body(BodySerializationMethod.UrlEncoded)] TypingIndicatorForm form, [Property(XUserToken.PropertyKey)] XUserToken bot, CancellationToken cancellationToken);

    [Post("/direct_messages/mark_read.json")]
    Task<IApiResponse> MarkReadAsync(
        [Body(BodySerializationMethod.UrlEncoded)] MarkReadForm form, [Property(XUserToken.PropertyKey)] XUserToken bot, CancellationToken cancellationToken);
}

/// <summary>
/// X API v2's one-to-one DM conversation endpoints. They live at the host's root (<c>/2/…</c>), so this client's
/// base address is the root of <c>TwitterBot:Api:TwitterUrl</c>.
/// </summary>
public interface IXDirectMessagesV2Api
{
    [Post("/2/dm_conversations/with/{participantId}/messages")]
    Task<IApiResponse<V2SentMessage>> SendAsync(
        string participantId, [Body] V2NewMessage message, [Property(XUserToken.PropertyKey)] XUserToken bot, CancellationToken cancellationToken);

    /// <summary>The conversation's message events, newest first, 50 a page, with what the lookup compares.</summary>
    [Get("/2/dm_conversations/with/{participantId}/dm_events?dm_event.fields=id,sender_id,text,created_at,attachments,entities&event_types=MessageCreate&max_results=50")]
    Task<IApiResponse<V2DmEventList>> ListAsync(
        string participantId, [AliasAs("pagination_token")] string? paginationToken, [Property(XUserToken.PropertyKey)] XUserToken bot, CancellationToken cancellationToken);
}

public sealed class TypingIndicatorForm(string recipientId)
{
    [AliasAs("recipient_id")]
    public string RecipientId { get; } = recipientId;
}

public sealed class MarkReadForm(string lastReadEventId, string recipientId)
{
    [AliasAs("last_read_event_id")]
    public string LastReadEventId { get; } = lastReadEventId;

    [AliasAs("recipient_id")]
    public string RecipientId { get; } = recipientId;
}
