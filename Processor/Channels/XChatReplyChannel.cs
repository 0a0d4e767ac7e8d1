using System.Globalization;
using System.Text.Json;
using Microsoft.Extensions.Options;
using TwitterBot.Conventions.Ids;
using TwitterBot.Processor.Clients.X;
using TwitterBot.Processor.Options;
using TwitterBot.Processor.Replies;
using TwitterBot.Processor.XChat;
using TwitterBot.Processor.XChat.Protocol;
using ProtocolKey = TwitterBot.Processor.XChat.Protocol.XChatConversationKey;

namespace TwitterBot.Processor.Channels;

/// <summary>
/// XChat replies of one turn (made per turn, for <paramref name="turnMessageId"/>): each reply sealed with the
/// conversation's current key and signed by the bot, sent to <c>POST /2/chat/conversations/{id}/messages</c> under a
/// message id derived from the turn and the reply's index, so every retry of a reply reuses its id and X dedupes. The
/// options follow the text as a numbered list (as on v2); a reply's media goes as its link. The "was it sent?" lookup
/// reads the conversation's events for that message id: the id is the channel's own, so the match is exact.
/// </summary>
public sealed class XChatReplyChannel(
    XChatClient client, IXChatConversationKeys keys, IOptions<XChatOptions> options, string conversationId, Guid turnMessageId) : IReplyChannel
{
    public bool ErrorsNameRevocation => false;

    /// <summary>The <c>message_id</c> of reply <paramref name="index"/> of the turn <paramref name="turnMessageId"/>: the same on every attempt.</summary>
    public static string MessageIdOf(Guid turnMessageId, int index) =>
        MessageIds.Derived(turnMessageId, string.Create(CultureInfo.InvariantCulture, $"xchat-reply:{index}")).ToString("D");

    public Task<OutgoingReply> PrepareAsync(ReplyAddress address, PlannedReply reply, string eventId, CancellationToken cancellationToken) =>
        Task.FromResult(new OutgoingReply(reply, reply.TextWithLink, null));

    public async Task<string?> SendAsync(ReplyAddress address, OutgoingReply reply, CancellationToken cancellationToken)
    {
        var current = await keys.CurrentAsync(address.BotUserId, conversationId, cancellationToken)
            ?? throw new XChatNoConversationKeyException(address.BotUserId, conversationId);
        var botKeys = options.Value.For(address.BotUserId)
            ?? throw new InvalidOperationException($"Bot {address.BotUserId} has no XChat keys (TwitterBot:XChat:Bots).");
        var messageId = MessageIdOf(turnMessageId, address.ReplyIndex);
        XChatSealedMessage sealedMessage;
        using (var pair = XChatInbox.ImportKeys(botKeys))
        {
            var key = new ProtocolKey(conversationId, current.Version.ToString(CultureInfo.InvariantCulture), current.Key);
            sealedMessage = XChatProtocol.SealMessage(pair, address.BotUserId, key, NumberedOptions.Render(reply.Planned, reply.Text), messageId);
        }

        await client.SendMessageAsync(conversationId,
            new XChatSendMessageRequest(messageId, sealedMessage.EncodedMessageCreateEvent, sealedMessage.EncodedMessageEventSignature), address.Bot, cancellationToken);
        return messageId;
    }

    public async Task<IReadOnlyList<string>> FindSentAsync(ReplyAddress address, PlannedReply reply, DateTimeOffset since, CancellationToken cancellationToken)
    {
        var messageId = MessageIdOf(turnMessageId, address.ReplyIndex);
        XChatConversationHistory history;
        try
        {
            history = await client.GetConversationEventsAsync(conversationId, SentReplyLookup.PageBudget, address.Bot, cancellationToken);
        }
        catch (Exception failure) when (failure is XApiException or XOutcomeUnknownException or HttpRequestException or JsonException)
        {
            throw new ReplyLookupUndecidedException($"The XChat conversation's events could not be read ({failure.Message}): whether the reply was sent is not known yet.", failure);
        }

        foreach (var listed in history.Messages)
        {
            if (listed.SenderId == address.BotUserId && listed.EncodedEvent is { } encoded
                && XChatEvents.TryDecode(encoded, out var decoded, out _) && decoded?.Envelope.MessageId == messageId)
            {
                return [messageId];
            }
        }

        // Not listed: sending it again is safe all the same, as X dedupes on the message id.
        return [];
    }

    public Task MarkReadAsync(ReplyAddress address, string eventId, CancellationToken cancellationToken) => Task.CompletedTask;

    public Task IndicateTypingAsync(ReplyAddress address, CancellationToken cancellationToken) =>
        client.SendTypingAsync(conversationId, address.Bot, cancellationToken);
}

/// <summary>The bot knows no key of the conversation (no key change addressed to it arrived): it cannot reply there.</summary>
public sealed class XChatNoConversationKeyException(string botUserId, string conversationId)
    : Exception($"Bot {botUserId} knows no XChat key of conversation {conversationId}: it cannot reply there until a key change addressed to it arrives.");
