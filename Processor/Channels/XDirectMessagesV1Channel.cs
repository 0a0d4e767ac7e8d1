using System.Globalization;
using TwitterBot.Conventions.DirectMessages;
using TwitterBot.Processor.Clients.X;
using TwitterBot.Processor.Replies;

namespace TwitterBot.Processor.Channels;

/// <summary>
/// X's DMs through API v1.1 (<c>TwitterBot:Api:Version</c> <c>1.1</c>): quick-reply options as X's own, media
/// attached by id, the lookup over the bot's <c>events/list</c> (30 days), read receipts and typing indicators.
/// </summary>
public sealed class XDirectMessagesV1Channel(IXDirectMessagesV1Api api, XMediaAttachments attachments, SentReplyLookup lookup, XClock clock) : IReplyChannel
{
    public bool ErrorsNameRevocation => true;

    public Task<OutgoingReply> PrepareAsync(ReplyAddress address, PlannedReply reply, string eventId, CancellationToken cancellationToken) =>
        attachments.AttachAsync(address.Bot, reply, eventId, cancellationToken);

    public async Task<string?> SendAsync(ReplyAddress address, OutgoingReply reply, CancellationToken cancellationToken)
    {
        var quickReply = reply.Planned.QuickReplies is { Count: > 0 } options
            ? new NewQuickReply("options", options.Select(o => new NewQuickReplyOption(o.Label, o.Description, o.Metadata)).ToList())
            : null;
        var message = new NewDirectMessageRequest(new NewDirectMessageEvent(
            "message_create",
            new NewMessageCreate(
                new NewMessageTarget(address.UserId),
                new NewMessageData(reply.Text, quickReply, reply.MediaId is { } mediaId ? new NewAttachment("media", new NewAttachedMedia(mediaId)) : null))));
        var sent = await XResponses.AcceptedAsync("a DM send", () => api.SendAsync(message, address.Bot, cancellationToken), clock, cancellationToken);
        return sent?.Event?.Id;
    }

    public Task<IReadOnlyList<string>> FindSentAsync(ReplyAddress address, PlannedReply reply, DateTimeOffset since, CancellationToken cancellationToken) =>
        lookup.FindAsync<ListedDirectMessageEvent>(
            since,
            async cursor =>
            {
                var listed = await XResponses.ReadAsync("the DM list", () => api.ListAsync(cursor, address.Bot, cancellationToken), clock, cancellationToken);
                return (listed.Events ?? [], listed.NextCursor);
            },
            listed => (Created(listed), listed.Id is { } id && IsReply(listed, address, reply) ? id : null));

    public Task MarkReadAsync(ReplyAddress address, string eventId, CancellationToken cancellationToken) =>
        XResponses.EnsureAsync("mark-read", () => api.MarkReadAsync(new MarkReadForm(eventId, address.UserId), address.Bot, cancellationToken), clock, cancellationToken);

    public Task IndicateTypingAsync(ReplyAddress address, CancellationToken cancellationToken) =>
        XResponses.EnsureAsync("typing indicator", () => api.IndicateTypingAsync(new TypingIndicatorForm(address.UserId), address.Bot, cancellationToken), clock, cancellationToken);

    /// <summary>v1.1's <c>created_timestamp</c>: epoch milliseconds as a string.</summary>
    private static DateTimeOffset? Created(ListedDirectMessageEvent listed) =>
        long.TryParse(listed.CreatedTimestamp, NumberStyles.None, CultureInfo.InvariantCulture, out var milliseconds)
            ? DateTimeOffset.FromUnixTimeMilliseconds(milliseconds)
            : null;

    /// <summary>Sent by the bot to the user, with the same options (label, description, metadata) and text.</summary>
    private static bool IsReply(ListedDirectMessageEvent listed, ReplyAddress address, PlannedReply reply)
    {
        if (listed.MessageCreate is not { SenderId: var sender, Target.RecipientId: var recipient, MessageData: { } data }
            || sender != address.BotUserId || recipient != address.UserId)
        {
            return false;
        }

        var media = data.Attachment?.Media;
        var text = DirectMessageText.Normalize(data.Text ?? string.Empty, (data.Entities?.Urls ?? []).Select(u => (u.Url, u.ExpandedUrl)), media?.Url);
        var options = data.QuickReply?.Options ?? [];
        var planned = reply.QuickReplies ?? [];
        return options.Count == planned.Count
               && options.Zip(planned).All(o => o.First.Label == o.Second.Label && o.First.Description == o.Second.Description && o.First.Metadata == o.Second.Metadata)
               && SentReplyLookup.SameText(text, media is not null, reply, t => t);
    }
}
