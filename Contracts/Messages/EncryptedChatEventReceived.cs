namespace TwitterBot.Contracts;

/// <summary>
/// X delivered an end-to-end encrypted XChat event (X Activity's <c>chat.received</c> or <c>chat.sent</c>) for one of
/// our bot accounts. Published by the Ingress as it arrived, without any key: the event stays ciphertext, and the
/// Processor verifies and decrypts it. Routed by the same conversation key as the pair's legacy DMs
/// (<c>ConversationKeys.ForChat</c>), so it is ordered with them. Never logged: the blobs carry the message.
/// </summary>
public sealed record EncryptedChatEventReceived
{
    /// <summary>X Activity's <c>event_uuid</c> of the delivery: the dedupe key of the delivery (a redelivery carries the same).</summary>
    public required string EventId { get; init; }

    /// <summary>Which of the bot's subscriptions delivered it: the bot received the event or sent it (its echo).</summary>
    public required ChatEventDirection Direction { get; init; }

    /// <summary>The numeric X user id of the bot account the event was delivered for.</summary>
    public required string BotUserId { get; init; }

    /// <summary>The chatbot platform project mapped to that bot account (the gateway's <c>uuid</c>).</summary>
    public required string BotId { get; init; }

    /// <summary>The X user who sent the event, as X states it outside the ciphertext (the signed sender inside it decides).</summary>
    public required string SenderId { get; init; }

    /// <summary>
    /// X's conversation id as delivered: a one-to-one conversation is the two user ids joined by <c>-</c> (URL form),
    /// a group starts with <c>g</c>.
    /// </summary>
    public required string ConversationId { get; init; }

    /// <summary>X's <c>encoded_event</c>: base64 of the Thrift event (message or key change), opaque here.</summary>
    public required string EncodedEvent { get; init; }

    /// <summary>X's <c>conversation_key_version</c>, when the delivery names the key the event is encrypted under.</summary>
    public string? ConversationKeyVersion { get; init; }

    /// <summary>X's <c>conversation_key_change_event</c>: base64 of the key change the event depends on, when X attaches one.</summary>
    public string? ConversationKeyChangeEvent { get; init; }

    /// <summary>When the Ingress received the delivery (X's payload carries no time outside the ciphertext).</summary>
    public required DateTimeOffset ReceivedAt { get; init; }
}
