using TwitterBot.Conventions.DirectMessages;
using TwitterBot.Processor.Clients.X;
using TwitterBot.Processor.Replies;

namespace TwitterBot.Processor.Channels;

/// <summary>
/// X's DMs through API v2 (<c>TwitterBot:Api:Version</c> <c>2</c>): v2 has no quick replies, so the options follow
/// the text as a numbered list; no typing indicator or read receipts; the lookup over the conversation's
/// <c>dm_events</c>, paged with pagination tokens.
/// </summary>
public sealed class XDirectMessagesV2Channel(IXDirectMessagesV2Api api, XMediaAttachments attachments, SentReplyLookup lookup, XClock clock) : IReplyChannel
{
    public bool ErrorsNameRevocation => false;

    public Task<OutgoingReply> PrepareAsync(ReplyAddress address, PlannedReply reply, string eventId, CancellationToken cancellationToken) =>
        attachments.AttachAsync(address.Bot, reply, eventId, cancellationToken);

    public async Task<string?> SendAsync(ReplyAddress address, OutgoingReply reply, CancellationToken cancellationToken)
    {
        var message = new V2NewMessage(Render(reply.Planned, reply.Text), reply.MediaId is { } mediaId ? [new V2Attachment(mediaId)] : null);
        var sent = await XResponses.AcceptedAsync("a DM send", () => api.SendAsync(address.UserId, message, address.Bot, cancellationToken), clock, cancellationToken);
        return sent?.Data?.DmEventId;
    }

    public Task<IReadOnlyList<string>> FindSentAsync(ReplyAddress address, PlannedReply reply, DateTimeOffset since, CancellationToken cancellationToken) =>
        lookup.FindAsync<V2DmEvent>(
            since,
            async token =>
            {
                var listed = await XResponses.ReadAsync("the DM conversation's events", () => api.ListAsync(address.UserId, token, address.Bot, cancellationToken), clock, cancellationToken);
                return (listed.Data ?? [], listed.Meta?.NextToken);
            },
            listed => (listed.CreatedAt, listed.Id is { } id && IsReply(listed, address, reply) ? id : null));

    public Task MarkReadAsync(ReplyAddress address, string eventId, CancellationToken cancellationToken) => Task.CompletedTask;

    public Task IndicateTypingAsync(ReplyAddress address, CancellationToken cancellationToken) => Task.CompletedTask;

    /// <summary>v2 has no quick replies: the options follow <paramref name="text"/> as a numbered list, as many as fit.</summary>
    public static string Render(PlannedReply reply, string text) => NumberedOptions.Render(reply, text);

    /// <summary>The conversation holds both sides: sent by the bot, with the same rendered text.</summary>
    private static bool IsReply(V2DmEvent listed, ReplyAddress address, PlannedReply reply)
    {
        if (listed.SenderId != address.BotUserId)
        {
            return false;
        }

        var hasMedia = listed.Attachments?.MediaKeys is { Count: > 0 };
        var urls = listed.Entities?.Urls ?? [];
        var mediaLink = hasMedia ? urls.LastOrDefault(u => u.MediaKey is not null)?.Url : null;
        var text = DirectMessageText.Normalize(listed.Text ?? string.Empty, urls.Where(u => u.MediaKey is null).Select(u => (u.Url, u.ExpandedUrl)), mediaLink);
        return SentReplyLookup.SameText(text, hasMedia, reply, t => Render(reply, t));
    }
}
