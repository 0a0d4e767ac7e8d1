using System.Globalization;
using TwitterBot.Contracts;
using TwitterBot.Conventions.Accounts;
using TwitterBot.Conventions.DirectMessages;
using TwitterBot.Conventions.Ids;

namespace TwitterBot.Ingress.Webhooks;

/// <summary>
/// Decides what each event of a delivery becomes: a message to publish (a DM sent to a configured bot by
/// a person, a DM a bot account sent (its echo), a bot account's revoke, a Replay job status) or a counted
/// drop (DMs between two configured bots, their echoes included, events for unknown accounts, events that did not convert, typing, read receipts and
/// every other event type). Each event is decided on its own: a drop never costs the others.
/// </summary>
public sealed class WebhookEventTranslator(BotAccounts bots, TimeProvider time)
{
    public WebhookTranslation Translate(WebhookEnvelope envelope)
    {
        var messages = new List<OutgoingMessage>();
        var dropped = new List<DroppedEvent>();

        void Add(Translated outcome)
        {
            if (outcome.Message is { } message) messages.Add(message);
            if (outcome.Dropped is { } drop) dropped.Add(drop);
        }

        for (var index = 0; index < envelope.DirectMessages.Count; index++)
        {
            Add(envelope.DirectMessages[index] is { Value: { } dm }
                ? TranslateDirectMessage(envelope, dm)
                : Malformed(envelope.DirectMessageType, index, envelope.DirectMessages[index].Problem));
        }

        if (envelope.Chat is { } chat)
        {
            Add(TranslateChat(envelope, chat));
        }

        if (envelope.Revoke is { } isolatedRevoke)
        {
            Add(isolatedRevoke.Value is { } revoke ? TranslateRevoke(revoke) : Malformed(EventTypes.Revoke, 0, isolatedRevoke.Problem));
        }

        if (envelope.ReplayJobStatus is { } isolatedStatus)
        {
            Add(isolatedStatus.Value is { } status ? TranslateReplayJobStatus(status) : Malformed(EventTypes.ReplayJobStatus, 0, isolatedStatus.Problem));
        }

        dropped.AddRange(envelope.Others.Select(other => new DroppedEvent(other.Type, DropReason.NotRelevant, other.Count)));
        return new WebhookTranslation(messages, dropped);
    }

    private Translated TranslateDirectMessage(WebhookEnvelope envelope, DirectMessageEvent dm)
    {
        if (envelope.Kind == WebhookEnvelope.AccountActivity && dm.Type != "message_create")
        {
            return Drop(dm.Type ?? EventTypes.Unknown, DropReason.NotRelevant);
        }

        if (dm is not { Id: { } eventId, MessageCreate: { SenderId: { } senderId, Target.RecipientId: { } recipientId } create })
        {
            return Drop(envelope.DirectMessageType, DropReason.Incomplete);
        }

        var accountId = envelope.AccountId ?? (envelope.DirectMessageType == XActivityTypes.Sent ? senderId : recipientId);
        if (bots.Find(accountId) is not { UserId: { } botUserId, BotId: { } botId })
        {
            return Drop(envelope.DirectMessageType, DropReason.UnknownAccount, accountId);
        }

        if (senderId == botUserId)
        {
            return TranslateEcho(eventId, botUserId, botId, recipientId, dm.CreatedTimestamp);
        }

        if (recipientId != botUserId)
        {
            return Drop(XActivityTypes.Received, DropReason.NotRelevant);
        }

        // Two bots answering each other would never stop: a bot's DM to another bot is not a person's.
        if (bots.Find(senderId) is not null)
        {
            return new Translated(null, new DroppedEvent(XActivityTypes.Received, DropReason.FromBot, 1, botUserId) { SenderId = senderId });
        }

        var data = create.MessageData;
        var urls = data?.Entities?.Urls ?? [];
        var media = data?.Attachment?.Media;
        var sender = envelope.Users.GetValueOrDefault(senderId);
        var message = new DirectMessageReceived
        {
            EventId = eventId,
            BotUserId = botUserId,
            BotId = botId,
            SenderId = senderId,
            SenderName = sender?.Name,
            SenderScreenName = sender?.ScreenName ?? sender?.Username,
            Text = DirectMessageText.Normalize(data?.Text ?? string.Empty, urls.Select(url => (url.Url, url.ExpandedUrl)), media?.Url),
            CreatedAt = dm.CreatedTimestamp ?? time.GetUtcNow(),
            QuickReplyMetadata = data?.QuickReplyResponse?.Metadata,
            Urls = urls.Select(url => url.ExpandedUrl ?? url.Url).OfType<string>().ToList(),
            Media = media is { MediaUrlHttps: { } mediaUrl } && (media.IdStr ?? media.Id) is { } mediaId
                ? new DirectMessageMedia(mediaId, media.Type ?? "photo", mediaUrl)
                : null,
            InitiatedVia = dm.InitiatedVia is { } origin && (origin.TweetId ?? origin.WelcomeMessageId) is not null
                ? new DirectMessageOrigin(origin.TweetId, origin.WelcomeMessageId)
                : null,
        };

        return new Translated(
            new OutgoingMessage(message, MessageIds.For(botUserId, eventId), ConversationKeys.For(botUserId, senderId), XActivityTypes.Received),
            null);
    }

    /// <summary>
    /// The account sent a DM (the bot, or a person at the brand in the X app): published, never its text, with the
    /// user's conversation key so that it is ordered with the user's DMs; the Processor tells the bot's own sends
    /// from a human's. A DM to another configured bot stays a drop: bots never answer each other anyway.
    /// </summary>
    private Translated TranslateEcho(string eventId, string botUserId, string botId, string recipientId, DateTimeOffset? createdAt)
    {
        if (bots.Find(recipientId) is not null)
        {
            return Drop(XActivityTypes.Sent, DropReason.Echo);
        }

        var echo = new DirectMessageSentByAccount
        {
            EventId = eventId,
            DirectMessageId = eventId,
            BotUserId = botUserId,
            BotId = botId,
            UserId = recipientId,
            CreatedAt = createdAt ?? time.GetUtcNow(),
        };
        return new Translated(
            new OutgoingMessage(echo, MessageIds.For(botUserId, eventId), ConversationKeys.For(botUserId, recipientId), XActivityTypes.Sent),
            null);
    }

    /// <summary>
    /// An XChat event, kept as the ciphertext X sent: the Ingress holds no keys. Its dedupe key is the delivery's
    /// <c>event_uuid</c> (X: "deduplicate deliveries on event_uuid"; the signed message id is inside the ciphertext).
    /// The same drops as for DMs: unknown accounts, and events between two configured bots.
    /// </summary>
    private Translated TranslateChat(WebhookEnvelope envelope, ActivityPayload chat)
    {
        var type = envelope.DirectMessageType;
        if (envelope.EventUuid is not { } eventUuid || chat is not { ConversationId: { Length: > 0 } conversationId, SenderId: { } senderId, EncodedEvent: { Length: > 0 } encoded })
        {
            return Drop(type, DropReason.Incomplete);
        }

        if (!IsBase64(encoded))
        {
            return Malformed(type, 0, "$.data.payload.encoded_event");
        }

        if (chat.ConversationKeyChangeEvent is { Length: > 0 } keyChange && !IsBase64(keyChange))
        {
            return Malformed(type, 0, "$.data.payload.conversation_key_change_event");
        }

        var sent = type == XActivityTypes.ChatSent;
        var accountId = envelope.AccountId ?? (sent ? senderId : ConversationKeys.ChatPeer(senderId, conversationId));
        if (bots.Find(accountId) is not { UserId: { } botUserId, BotId: { } botId })
        {
            return Drop(type, DropReason.UnknownAccount, accountId);
        }

        if (ConversationKeys.ChatPeer(botUserId, conversationId) is { } peer && bots.Find(peer) is not null)
        {
            // Two bots answering each other would never stop; the bot's own copy of such a message is an echo.
            return sent || senderId == botUserId
                ? Drop(type, DropReason.Echo)
                : new Translated(null, new DroppedEvent(type, DropReason.FromBot, 1, botUserId) { SenderId = senderId });
        }

        var message = new EncryptedChatEventReceived
        {
            EventId = eventUuid,
            Direction = sent ? ChatEventDirection.Sent : ChatEventDirection.Received,
            BotUserId = botUserId,
            BotId = botId,
            SenderId = senderId,
            ConversationId = conversationId,
            EncodedEvent = encoded,
            ConversationKeyVersion = chat.ConversationKeyVersion,
            ConversationKeyChangeEvent = chat.ConversationKeyChangeEvent is { Length: > 0 } change ? change : null,
            ReceivedAt = time.GetUtcNow(),
        };
        return new Translated(
            new OutgoingMessage(message, MessageIds.For(botUserId, $"chat:{eventUuid}"), ConversationKeys.ForChat(botUserId, conversationId), type),
            null);
    }

    private static bool IsBase64(string text)
    {
        if (text.Length % 4 != 0)
        {
            return false;
        }

        var buffer = text.Length <= 4096 ? stackalloc byte[text.Length / 4 * 3] : new byte[text.Length / 4 * 3];
        return Convert.TryFromBase64String(text, buffer, out _);
    }

    private Translated TranslateRevoke(RevokeEvent revoke)
    {
        var userId = revoke.Source?.UserId;
        if (bots.Find(userId) is not { UserId: { } botUserId, BotId: { } botId })
        {
            return Drop(EventTypes.Revoke, userId is null ? DropReason.Incomplete : DropReason.UnknownAccount, userId);
        }

        var revokedAt = DateTimeOffset.TryParse(revoke.DateTime, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal, out var at)
            ? at
            : time.GetUtcNow();
        return new Translated(
            new OutgoingMessage(
                new BotAccessRevoked { BotUserId = botUserId, BotId = botId, AppId = revoke.Target?.AppId, RevokedAt = revokedAt },
                MessageIds.For(botUserId, $"revoke:{revoke.DateTime}"),
                ConversationKey: null,
                EventTypes.Revoke),
            null);
    }

    private static Translated TranslateReplayJobStatus(ReplayJobStatus status) =>
        status is { JobId: { } jobId, JobState: { } state }
            ? new Translated(
                new OutgoingMessage(
                    new ReplayJobStatusReported { JobId = jobId, WebhookId = status.WebhookId, JobState = state, Description = status.JobStateDescription },
                    MessageIds.For(status.WebhookId ?? string.Empty, $"replay:{jobId}:{state}"),
                    ConversationKey: null,
                    EventTypes.ReplayJobStatus),
                null)
            : Drop(EventTypes.ReplayJobStatus, DropReason.Incomplete);

    private static Translated Drop(string type, DropReason reason, string? accountId = null) =>
        new(null, new DroppedEvent(type, reason, 1, accountId));

    private static Translated Malformed(string type, int index, string? problem) =>
        new(null, new DroppedEvent(type, DropReason.Malformed) { Index = index, Problem = problem });

    private sealed record Translated(OutgoingMessage? Message, DroppedEvent? Dropped);
}

/// <summary>A contract to publish, under a deterministic id; DMs also carry their conversation key.</summary>
public sealed record OutgoingMessage(object Message, Guid MessageId, string? ConversationKey, string EventType);

public sealed record DroppedEvent(string Type, DropReason Reason, int Count = 1, string? AccountId = null)
{
    /// <summary>For a <see cref="DropReason.Malformed"/> event: its index among the delivery's events of its kind.</summary>
    public int? Index { get; init; }

    /// <summary>For a <see cref="DropReason.Malformed"/> event: where inside it the conversion failed (a JSON path, never a value).</summary>
    public string? Problem { get; init; }

    /// <summary>For <see cref="DropReason.FromBot"/>: the bot that sent the DM; <see cref="AccountId"/> is the bot it was sent to.</summary>
    public string? SenderId { get; init; }
}

public enum DropReason
{
    /// <summary>An event type we do not act on (typing, read receipts, follows, …).</summary>
    NotRelevant,

    /// <summary>A DM a bot account sent to another configured bot, delivered back to us (other echoes are published).</summary>
    Echo,

    /// <summary>An event for an X account that is not a configured bot.</summary>
    UnknownAccount,

    /// <summary>An event lacking the ids we need to act on it.</summary>
    Incomplete,

    /// <summary>An event with a field that does not convert (a wrong JSON type, an id that is not a 64-bit number, a timestamp out of range).</summary>
    Malformed,

    /// <summary>A DM one configured bot sent to another: never answered, so that two bots cannot talk to each other forever.</summary>
    FromBot,
}

public sealed record WebhookTranslation(IReadOnlyList<OutgoingMessage> Messages, IReadOnlyList<DroppedEvent> Dropped);

/// <summary>Event type names used in logs and metrics beyond X Activity's <c>dm.*</c> names.</summary>
public static class EventTypes
{
    public const string Revoke = "user_event.revoke";
    public const string ReplayJobStatus = "replay_job_status";
    public const string Unknown = "unknown";
}
