namespace TwitterBot.Processor.XChat.Protocol;

/// <summary>Finds a conversation's key by canonical conversation id and key version; null when not known (yet).</summary>
public delegate XChatConversationKey? XChatConversationKeyLookup(string conversationId, string keyVersion);

/// <summary>What a decrypted message holds.</summary>
public enum XChatContentKind
{
    /// <summary>A message with text (and possibly attachments, a quoted preview).</summary>
    Message,

    /// <summary>A reaction added or removed.</summary>
    Reaction,

    /// <summary>An edit of an earlier message.</summary>
    Edit,

    /// <summary>Anything else (read markers, calls, drafts…).</summary>
    Other,
}

/// <summary>Outcome of checking a reply's quoted preview against the original it embeds.</summary>
public enum XChatPreviewStatus
{
    /// <summary>The embedded original verifies and says what the preview claims: <see cref="XChatQuotedPreview.Text"/> is set.</summary>
    Valid,

    /// <summary>The preview does not match its embedded original, or the original does not verify: never show it.</summary>
    Invalid,

    /// <summary>The preview embeds no original (older clients): nothing can be checked, so nothing is shown.</summary>
    Unchecked,
}

/// <summary>A reply's quoted preview. <see cref="Text"/> is only set when <see cref="Status"/> is <see cref="XChatPreviewStatus.Valid"/>.</summary>
public sealed record XChatQuotedPreview(XChatPreviewStatus Status, string? ReplyingToMessageId, string? QuotedSenderId, string? Text)
{
    public override string ToString() => $"XChatQuotedPreview({Status}, replying to {ReplyingToMessageId})";
}

/// <summary>
/// A message that verified (sender's served signing key, signature over its canonical payload) and decrypted.
/// Text is user content: never log it (<see cref="ToString"/> leaves it out).
/// </summary>
public sealed record XChatOpenedMessage(
    string SenderId,
    string ConversationId,
    string MessageId,
    string? SequenceId,
    string? CreatedAtMsec,
    string ConversationKeyVersion,
    XChatContentKind Kind,
    string? Text,
    int AttachmentCount,
    XChatQuotedPreview? QuotedPreview)
{
    public bool HasAttachments => AttachmentCount > 0;

    /// <summary>The mentions the sender's client marked in <see cref="Text"/> (only those whose span lies inside it).</summary>
    public IReadOnlyList<XChatMention> Mentions { get; init; } = [];

    /// <summary>Whether the message mentions <paramref name="screenName"/>.</summary>
    public bool MentionsHandle(string screenName) => Mentions.Any(mention => mention.Names(screenName));

    public override string ToString() =>
        $"XChatOpenedMessage(message {MessageId}, sender {SenderId}, conversation {ConversationId}, {Kind}, {AttachmentCount} attachment(s))";
}

/// <summary>
/// A sealed (encrypted and signed) message, ready for <c>POST /2/chat/conversations/{id}/messages</c>:
/// body <c>{ "message_id", "encoded_message_create_event", "encoded_message_event_signature" }</c>
/// (<c>conversation_token</c> optional); the path takes <see cref="UrlConversationId"/>.
/// </summary>
public sealed record XChatSealedMessage(
    string MessageId,
    string SenderId,
    string ConversationId,
    string ConversationKeyVersion,
    string EncodedMessageCreateEvent,
    string EncodedMessageEventSignature)
{
    /// <summary>The conversation id as REST paths take it (<c>min-max</c>).</summary>
    public string UrlConversationId => XChatConversationId.ToUrl(ConversationId);

    /// <summary>
    /// The whole event as X would deliver it to the other participants (base64 <c>MessageEvent</c>): what the
    /// simulator fans out. <paramref name="sequenceId"/> and <paramref name="createdAtMsec"/> are X's, unsigned.
    /// </summary>
    public string ToEvent(string? sequenceId, string? createdAtMsec) =>
        XChatProtocol.AssembleMessageEvent(MessageId, SenderId, ConversationId, EncodedMessageCreateEvent,
            EncodedMessageEventSignature, sequenceId, createdAtMsec);

    public override string ToString() => $"XChatSealedMessage(message {MessageId}, conversation {ConversationId})";
}

/// <summary>One participant's copy of a conversation key: ECIES-encrypted to the identity key of that key version.</summary>
public sealed record XChatParticipantKey(string UserId, string PublicKeyVersion, string EncryptedConversationKey);

/// <summary>
/// A sealed key change: participants' encrypted copies plus the sender's signature. Carries what
/// <c>POST /2/chat/conversations/{id}/keys</c> takes (<c>conversation_key_version</c>,
/// <c>conversation_participant_keys</c>, <c>action_signatures</c>[{ <c>message_id</c>,
/// <c>encoded_message_event_detail</c>, <c>message_event_signature</c> { <c>signature</c>,
/// <c>public_key_version</c>, <c>signature_version</c> } }]) and the event X would deliver.
/// </summary>
public sealed record XChatSealedKeyChange(
    string MessageId,
    string SenderId,
    string ConversationId,
    string ConversationKeyVersion,
    IReadOnlyList<XChatParticipantKey> ParticipantKeys,
    string Signature,
    string SignaturePublicKeyVersion,
    string SignatureVersion,
    string EncodedMessageEventDetail,
    string EncodedMessageEventSignature)
{
    /// <summary>The key-change event as X would deliver it (base64 <c>MessageEvent</c>).</summary>
    public string ToEvent(string? sequenceId, string? createdAtMsec) =>
        XChatProtocol.AssembleKeyChangeEvent(this, sequenceId, createdAtMsec);

    public override string ToString() => $"XChatSealedKeyChange(message {MessageId}, conversation {ConversationId}, version {ConversationKeyVersion})";
}
