using System.Globalization;
using TwitterBot.Contracts;
using TwitterBot.Conventions.DirectMessages;
using TwitterBot.Processor.Clients.X;

namespace TwitterBot.Processor.XAccount.Replay;

/// <summary>
/// One bot's DM history on X, newest first, a page at a time, read with the bot's own user token. X keeps
/// 30 days of it (<see cref="DirectMessageRecovery.Reach"/>). The API is chosen once, at composition, by <c>TwitterBot:Api:Version</c>:
/// <see cref="V1DirectMessageHistory"/> or <see cref="V2DirectMessageHistory"/>.
/// </summary>
public interface IDirectMessageHistory
{
    /// <summary>The endpoint, for the operator.</summary>
    string Endpoint { get; }

    /// <param name="cursor">The previous page's <see cref="HistoryPage.Next"/>; null for the newest page.</param>
    Task<HistoryPage> PageAsync(XUserToken bot, string? cursor, CancellationToken cancellationToken);
}

/// <summary>A page of message events (sent and received), newest first, and the cursor of the next page (null at the end).</summary>
public sealed record HistoryPage(IReadOnlyList<ListedDirectMessage> Messages, string? Next);

/// <summary>A message event as the history lists it, its text already as the Ingress would publish it.</summary>
/// <param name="RecipientId">Null when the event is not of a one-to-one conversation.</param>
public sealed record ListedDirectMessage(
    string EventId,
    string SenderId,
    string? RecipientId,
    DateTimeOffset CreatedAt,
    string Text,
    IReadOnlyList<string> Urls,
    DirectMessageMedia? Media = null,
    string? QuickReplyMetadata = null,
    string? SenderName = null,
    string? SenderScreenName = null);

/// <summary>v1.1 <c>GET direct_messages/events/list.json</c>, paged with <c>cursor</c> / <c>next_cursor</c>.</summary>
public sealed class V1DirectMessageHistory(IXReplayApi api) : IDirectMessageHistory
{
    public string Endpoint => "GET direct_messages/events/list.json";

    public async Task<HistoryPage> PageAsync(XUserToken bot, string? cursor, CancellationToken cancellationToken)
    {
        var page = await XAnswers.ContentAsync(() => api.V1HistoryAsync(cursor, bot, cancellationToken), cancellationToken);
        var messages = (page?.Events ?? [])
            .Select(Listed)
            .OfType<ListedDirectMessage>()
            .ToList();
        return new HistoryPage(messages, string.IsNullOrEmpty(page?.NextCursor) ? null : page.NextCursor);
    }

    private static ListedDirectMessage? Listed(V1HistoryEvent listed)
    {
        if (listed is not { Type: "message_create", Id: { } id, MessageCreate: { SenderId: { } sender } create }
            || !long.TryParse(listed.CreatedTimestamp, NumberStyles.None, CultureInfo.InvariantCulture, out var milliseconds))
        {
            return null;
        }

        var data = create.MessageData;
        var urls = data?.Entities?.Urls ?? [];
        var media = data?.Attachment?.Media;
        return new ListedDirectMessage(
            id,
            sender,
            create.Target?.RecipientId,
            DateTimeOffset.FromUnixTimeMilliseconds(milliseconds),
            DirectMessageText.Normalize(data?.Text ?? string.Empty, urls.Select(url => (url.Url, url.ExpandedUrl)), media?.Url),
            urls.Select(url => url.ExpandedUrl ?? url.Url).OfType<string>().ToList(),
            media is { IdStr: { } mediaId, MediaUrlHttps: { } mediaUrl } ? new DirectMessageMedia(mediaId, media.Type ?? "photo", mediaUrl) : null,
            data?.QuickReplyResponse?.Metadata);
    }
}

/// <summary>
/// v2 <c>GET /2/dm_events</c> (message events only, with <c>dm_event.fields</c> and the senders expanded), paged
/// with <c>pagination_token</c> / <c>meta.next_token</c>. Its events name no recipient: a one-to-one
/// conversation's id is the two user ids joined by <c>-</c>, the recipient the one that is not the sender.
/// </summary>
public sealed class V2DirectMessageHistory(IXReplayApi api) : IDirectMessageHistory
{
    public string Endpoint => "GET /2/dm_events";

    public async Task<HistoryPage> PageAsync(XUserToken bot, string? cursor, CancellationToken cancellationToken)
    {
        var page = await XAnswers.ContentAsync(() => api.V2HistoryAsync(cursor, bot, cancellationToken), cancellationToken);
        var users = (page?.Includes?.Users ?? []).Where(u => u.Id is not null).DistinctBy(u => u.Id).ToDictionary(u => u.Id!, StringComparer.Ordinal);
        var messages = (page?.Data ?? [])
            .Select(listed => Listed(listed, users))
            .OfType<ListedDirectMessage>()
            .ToList();
        var next = page?.Meta?.NextToken;
        return new HistoryPage(messages, string.IsNullOrEmpty(next) ? null : next);
    }

    private static ListedDirectMessage? Listed(V2HistoryEvent listed, Dictionary<string, V2HistoryUser> users)
    {
        if (listed is not { EventType: "MessageCreate", Id: { } id, SenderId: { } sender, CreatedAt: { } created })
        {
            return null;
        }

        var urls = listed.Entities?.Urls ?? [];
        var user = users.GetValueOrDefault(sender);
        return new ListedDirectMessage(
            id,
            sender,
            Recipient(listed.DmConversationId, sender),
            created,
            DirectMessageText.Normalize(listed.Text ?? string.Empty, urls.Where(u => u.MediaKey is null).Select(u => (u.Url, u.ExpandedUrl)), urls.FirstOrDefault(u => u.MediaKey is not null)?.Url),
            urls.Where(u => u.MediaKey is null).Select(u => u.ExpandedUrl ?? u.Url).OfType<string>().ToList(),
            SenderName: user?.Name,
            SenderScreenName: user?.Username);
    }

    private static string? Recipient(string? conversationId, string sender) =>
        conversationId?.Split('-') is [var first, var second] ? (first == sender ? second : second == sender ? first : null) : null;
}
