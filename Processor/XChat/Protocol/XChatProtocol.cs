using System.Globalization;
using System.Text;
using TwitterBot.Processor.XChat.Protocol.Crypto;
using TwitterBot.Processor.XChat.Protocol.Thrift;

namespace TwitterBot.Processor.XChat.Protocol;

/// <summary>
/// XChat's protocol operations (xdevplatform/chat-xdk docs/CRYPTO.md), for the bot and for the simulator alike:
/// <list type="bullet">
/// <item><see cref="OpenKeyChange"/>: the conversation key a key change carries for a recipient, after its signature verified.</item>
/// <item><see cref="OpenMessage"/>: verify (before anything is decrypted), decrypt, parse, check a quoted preview.</item>
/// <item><see cref="SealMessage"/> / <see cref="SealKeyChange"/>: encrypt and sign, as X's clients do.</item>
/// <item><see cref="AssembleMessageEvent"/>: the event X would deliver for a posted message (the simulator's fan-out).</item>
/// </list>
/// Signatures are checked with served keys only: the sender's key set (by the event's sender id and the signature's
/// key version) whose identity binding verifies; a key carried inside an event is never read. Every refusal is an
/// <see cref="XChatProtocolException"/> with a <see cref="XChatRejection"/>.
/// </summary>
public static class XChatProtocol
{
    /// <summary>Signature version stamped on what this code signs.</summary>
    public const int SignatureVersion = 7;

    /// <summary>Oldest signature version accepted: older payloads omit the event type and key version (downgrade).</summary>
    public const int MinimumSignatureVersion = 2;

    /// <summary>First signature version whose key-change payload covers the plaintext key (so a recipient can verify it).</summary>
    public const int KeyChangeMinimumSignatureVersion = 6;

    private const int MaxEncryptedKeyBytes = 1024;
    private const int MaxTextLength = 10_000;

    /// <summary>
    /// Opens a key change addressed to <paramref name="recipientUserId"/>: decrypts its copy of the conversation key
    /// (the entry at the recipient's registered key version) and verifies the sender's signature over
    /// <c>ConversationKeyChangeEvent,{message_id},{sender_id},{conversation_id},{key_version},{key_b64_no_pad}</c>
    /// with <paramref name="servedKeys"/> (anyone's; only the sender's are considered).
    /// </summary>
    public static XChatConversationKey OpenKeyChange(
        XChatKeyChangeEvent keyChange, XChatKeyPair recipient, string recipientUserId, IEnumerable<XChatUserPublicKeys> servedKeys)
    {
        ArgumentNullException.ThrowIfNull(keyChange);
        ArgumentNullException.ThrowIfNull(recipient);
        ArgumentNullException.ThrowIfNull(servedKeys);
        var wire = keyChange.Wire;
        var (messageId, senderId, conversationId) = RequireEnvelope(wire);
        var keyVersion = RequireComponent(keyChange.ConversationKeyVersion, XChatRejection.MissingKeyVersion, "key version");
        var signatureVersion = SignatureVersionOf(wire.Signature);
        if (signatureVersion < KeyChangeMinimumSignatureVersion)
            throw new XChatProtocolException(XChatRejection.UnsupportedSignatureVersion,
                "The key change is signed at a version whose payload a recipient cannot verify.");
        var signingKey = SigningKeyOf(wire, senderId, servedKeys);
        var signature = SignatureBytesOf(wire.Signature!);

        var entry = keyChange.Change.ParticipantKeys.FirstOrDefault(key =>
                key.UserId == recipientUserId && key.PublicKeyVersion == recipient.KeyVersion)
            ?? throw new XChatProtocolException(XChatRejection.NotAddressedToRecipient,
                "The key change carries no key for this recipient at its registered key version.");
        var blob = XChatBase64.Decode(entry.EncryptedConversationKey, MaxEncryptedKeyBytes, XChatRejection.Malformed, "encrypted conversation key");
        var key = recipient.DecryptWithIdentity(blob);
        try
        {
            if (key.Length != XChatCrypto.ConversationKeyLength)
                throw new XChatProtocolException(XChatRejection.DecryptionFailed, "The conversation key is not 32 bytes.");
            var payload = Payload("ConversationKeyChangeEvent", messageId, senderId, conversationId, keyVersion, XChatBase64.Unpadded(key));
            if (!XChatCrypto.Verify(signingKey.SigningPublicKey.Raw, signature, payload))
                throw new XChatProtocolException(XChatRejection.InvalidSignature, "The key change's signature does not verify.");
            return new XChatConversationKey(conversationId, keyVersion, key);
        }
        finally
        {
            System.Security.Cryptography.CryptographicOperations.ZeroMemory(key);
        }
    }

    /// <summary>
    /// Opens a message: checks its envelope, key version and signature version, verifies the sender's signature over
    /// <c>MessageCreateEvent,{message_id},{sender_id},{conversation_id},{key_version},{contents_b64_no_pad}</c>, and
    /// only then looks the key up (<paramref name="keys"/>), decrypts and parses. A quoted preview is checked against
    /// the original it embeds (same conversation, verified the same way, decrypted, claims compared).
    /// </summary>
    public static XChatOpenedMessage OpenMessage(
        XChatMessageEvent message, XChatConversationKeyLookup keys, IEnumerable<XChatUserPublicKeys> servedKeys)
    {
        ArgumentNullException.ThrowIfNull(message);
        ArgumentNullException.ThrowIfNull(keys);
        ArgumentNullException.ThrowIfNull(servedKeys);
        var known = servedKeys as IReadOnlyCollection<XChatUserPublicKeys> ?? servedKeys.ToList();
        var (envelope, keyVersion, contents) = VerifyAndDecrypt(message.Wire, message.Create, keys, known);

        var preview = contents.Preview is null ? null : CheckPreview(contents.Preview, envelope.ConversationId, keys, known);
        var kind = contents.Variant switch
        {
            1 => XChatContentKind.Message,
            2 or 3 => XChatContentKind.Reaction,
            4 => XChatContentKind.Edit,
            _ => XChatContentKind.Other,
        };
        var text = kind == XChatContentKind.Message ? contents.Text ?? "" : null;
        return new XChatOpenedMessage(envelope.SenderId, envelope.ConversationId, envelope.MessageId, message.Wire.SequenceId,
            message.Wire.CreatedAtMsec, keyVersion, kind, text, contents.AttachmentCount, preview)
        {
            Mentions = text is null ? [] : MentionsOf(text, contents.Entities),
        };
    }

    // A mention is a marked span of the text (RichTextContent 3); one whose span is not inside the text names nobody.
    private static List<XChatMention> MentionsOf(string text, List<WireEntity> entities)
    {
        var mentions = new List<XChatMention>();
        foreach (var entity in entities)
        {
            if (entity is { Kind: 3, Start: { } start, End: { } end }
                && XChatMentions.Slice(text, new XChatTextSpan(start, end)) is { } covered)
            {
                mentions.Add(new XChatMention(new XChatTextSpan(start, end), covered));
            }
        }

        return mentions;
    }

    /// <summary>
    /// Encrypts <paramref name="text"/> under <paramref name="key"/> and signs it as <paramref name="senderUserId"/>
    /// (signature version 7, the sender's registered key version). <paramref name="messageId"/> is the caller's: mint
    /// it once (a UUID) and reuse it on every retry so X can deduplicate. The conversation id is signed canonical.
    /// <paramref name="mentions"/> are marked as mention entities (spans in code points, see <see cref="XChatMentions.Find"/>);
    /// <paramref name="mediaHashKeys"/> become media attachments (a simulated user's; the bot sends its media as links).
    /// </summary>
    public static XChatSealedMessage SealMessage(
        XChatKeyPair sender, string senderUserId, XChatConversationKey key, string text, string messageId, bool shouldNotify = true,
        IReadOnlyList<XChatTextSpan>? mentions = null, IReadOnlyList<string>? mediaHashKeys = null)
    {
        ArgumentNullException.ThrowIfNull(sender);
        ArgumentNullException.ThrowIfNull(key);
        ArgumentNullException.ThrowIfNull(text);
        ArgumentException.ThrowIfNullOrEmpty(senderUserId);
        ArgumentException.ThrowIfNullOrEmpty(messageId);
        if (text.Length > MaxTextLength)
            throw new ArgumentException($"A message holds at most {MaxTextLength} characters.", nameof(text));
        var conversationId = XChatConversationId.Canonical(key.ConversationId, senderUserId);
        var entities = mentions?.Select(span => (span.Start, span.End, (short)3)).ToList();
        var contents = XChatCrypto.SecretBoxSeal(key.Key, XChatWire.WriteTextContents(text, entities, mediaHashKeys));
        var payload = Payload("MessageCreateEvent", messageId, senderUserId, conversationId, key.KeyVersion, XChatBase64.Unpadded(contents));
        var signature = XChatBase64.Unpadded(sender.SignForProtocol(payload));
        return new XChatSealedMessage(messageId, senderUserId, conversationId, key.KeyVersion,
            XChatBase64.Padded(XChatWire.WriteMessageCreate(contents, key.KeyVersion, shouldNotify)),
            XChatBase64.Padded(XChatWire.WriteSignature(signature, sender.KeyVersion, SignatureVersion.ToString(CultureInfo.InvariantCulture))));
    }

    /// <summary>
    /// Distributes <paramref name="key"/> to <paramref name="participants"/> (each copy ECIES-encrypted to the identity
    /// key of its served key set, whose binding must verify) and signs the change as <paramref name="senderUserId"/>.
    /// </summary>
    public static XChatSealedKeyChange SealKeyChange(
        XChatKeyPair sender, string senderUserId, XChatConversationKey key, IEnumerable<XChatUserPublicKeys> participants, string messageId)
    {
        ArgumentNullException.ThrowIfNull(sender);
        ArgumentNullException.ThrowIfNull(key);
        ArgumentNullException.ThrowIfNull(participants);
        ArgumentException.ThrowIfNullOrEmpty(senderUserId);
        ArgumentException.ThrowIfNullOrEmpty(messageId);
        var conversationId = XChatConversationId.Canonical(key.ConversationId, senderUserId);
        var copies = new List<XChatParticipantKey>();
        foreach (var participant in participants)
        {
            if (!participant.BindingVerifies)
                throw new XChatProtocolException(XChatRejection.InvalidKey, "A participant's served keys do not bind (identity signature).");
            copies.Add(new XChatParticipantKey(participant.UserId, participant.KeyVersion,
                XChatBase64.Padded(XChatCrypto.EciesEncrypt(participant.IdentityPublicKey.Raw, key.Key))));
        }
        var payload = Payload("ConversationKeyChangeEvent", messageId, senderUserId, conversationId, key.KeyVersion, XChatBase64.Unpadded(key.Key));
        var signature = XChatBase64.Unpadded(sender.SignForProtocol(payload));
        System.Security.Cryptography.CryptographicOperations.ZeroMemory(payload);
        var signatureVersion = SignatureVersion.ToString(CultureInfo.InvariantCulture);
        var change = XChatWire.WriteKeyChange(key.KeyVersion, copies.Select(c => (c.UserId, c.EncryptedConversationKey, c.PublicKeyVersion)).ToList());
        var detail = new ThriftWriter();
        detail.FieldBegin(ThriftType.Struct, 3);
        detail.Raw(change);
        detail.FieldStop();
        return new XChatSealedKeyChange(messageId, senderUserId, conversationId, key.KeyVersion, copies, signature, sender.KeyVersion,
            signatureVersion, XChatBase64.Padded(detail.ToArray()),
            XChatBase64.Padded(XChatWire.WriteSignature(signature, sender.KeyVersion, signatureVersion)));
    }

    /// <summary>
    /// The base64 <c>MessageEvent</c> X would deliver for a message posted with these fields (the body of
    /// <c>POST …/messages</c> plus the authenticated sender and the path's conversation). Both blobs must be
    /// well-formed Thrift (<see cref="XChatRejection.Malformed"/> otherwise); nothing is verified here: open the
    /// result with <see cref="OpenMessage"/> as a recipient would.
    /// </summary>
    public static string AssembleMessageEvent(
        string messageId, string senderUserId, string conversationId, string encodedMessageCreateEvent,
        string encodedMessageEventSignature, string? sequenceId, string? createdAtMsec)
    {
        ArgumentException.ThrowIfNullOrEmpty(messageId);
        ArgumentException.ThrowIfNullOrEmpty(senderUserId);
        ArgumentException.ThrowIfNullOrEmpty(conversationId);
        var create = XChatBase64.Decode(encodedMessageCreateEvent, XChatWire.MaxEventBytes, XChatRejection.Malformed, "message create event");
        var signature = XChatBase64.Decode(encodedMessageEventSignature, 4096, XChatRejection.Malformed, "event signature");
        var bytes = XChatWire.WriteMessageEvent(sequenceId, messageId, senderUserId, XChatConversationId.Canonical(conversationId, senderUserId),
            createdAtMsec, 1, create, signature);
        // Reading it back proves both blobs were well-formed structs of the right shape.
        if (XChatEvents.FromBytes(bytes) is not XChatMessageEvent)
            throw new XChatProtocolException(XChatRejection.Malformed, "The posted message is not a message create event.");
        return XChatBase64.Padded(bytes);
    }

    internal static string AssembleKeyChangeEvent(XChatSealedKeyChange change, string? sequenceId, string? createdAtMsec)
    {
        var body = XChatWire.WriteKeyChange(change.ConversationKeyVersion,
            change.ParticipantKeys.Select(c => (c.UserId, c.EncryptedConversationKey, c.PublicKeyVersion)).ToList());
        var signature = XChatWire.WriteSignature(change.Signature, change.SignaturePublicKeyVersion, change.SignatureVersion);
        return XChatBase64.Padded(XChatWire.WriteMessageEvent(sequenceId, change.MessageId, change.SenderId, change.ConversationId,
            createdAtMsec, 3, body, signature));
    }

    private sealed record Envelope(string MessageId, string SenderId, string ConversationId);

    private static (Envelope Envelope, string KeyVersion, WireContents Contents) VerifyAndDecrypt(
        WireMessageEvent wire, WireMessageCreate create, XChatConversationKeyLookup keys, IReadOnlyCollection<XChatUserPublicKeys> servedKeys)
    {
        var (messageId, senderId, conversationId) = RequireEnvelope(wire);
        var keyVersion = RequireComponent(create.ConversationKeyVersion, XChatRejection.MissingKeyVersion, "key version");
        if (create.Contents is not { Length: > 0 } ciphertext)
            throw new XChatProtocolException(XChatRejection.Malformed, "The message has no contents.");
        SignatureVersionOf(wire.Signature);
        var signingKey = SigningKeyOf(wire, senderId, servedKeys);
        var signature = SignatureBytesOf(wire.Signature!);
        var payload = Payload("MessageCreateEvent", messageId, senderId, conversationId, keyVersion, XChatBase64.Unpadded(ciphertext));
        if (!XChatCrypto.Verify(signingKey.SigningPublicKey.Raw, signature, payload))
            throw new XChatProtocolException(XChatRejection.InvalidSignature, "The message's signature does not verify.");

        var key = keys(conversationId, keyVersion)
            ?? throw new XChatProtocolException(XChatRejection.UnknownConversationKey, "No conversation key is known for the message's key version.");
        if (key.ConversationId != conversationId || key.KeyVersion != keyVersion)
            throw new XChatProtocolException(XChatRejection.UnknownConversationKey, "The key found belongs to another conversation or version.");
        var plaintext = XChatCrypto.SecretBoxOpen(key.Key, ciphertext);
        return (new Envelope(messageId, senderId, conversationId), keyVersion, XChatWire.ReadContents(plaintext));
    }

    // The preview travels inside the encrypted reply, so only the recipient can check it: the embedded original
    // must be of this conversation, verify with its sender's served keys, decrypt, and say what the preview claims.
    private static XChatQuotedPreview CheckPreview(
        WirePreview preview, string conversationId, XChatConversationKeyLookup keys, IReadOnlyCollection<XChatUserPublicKeys> servedKeys)
    {
        var quotedSender = preview.SenderId?.ToString(CultureInfo.InvariantCulture);
        var invalid = new XChatQuotedPreview(XChatPreviewStatus.Invalid, preview.ReplyingToMessageId, quotedSender, null);
        if (preview.RawMessageCreate is not { } original)
            return invalid with { Status = XChatPreviewStatus.Unchecked };
        // An edited original would need the edit verified and compared instead; not supported, so never shown.
        if (preview.RawEdit is not null)
            return invalid;
        try
        {
            if (original.Detail is not { Variant: 1, MessageCreate: { } create })
                return invalid;
            var (envelope, _, contents) = VerifyAndDecrypt(original, create, keys, servedKeys);
            if (envelope.ConversationId != conversationId || contents.Variant != 1)
                return invalid;
            if (quotedSender is not null && quotedSender != envelope.SenderId)
                return invalid;
            if (preview.ReplyingToMessageId is not null && preview.ReplyingToMessageId != envelope.MessageId)
                return invalid;
            if (preview.AttachmentCount != contents.AttachmentCount || preview.EntityCount > contents.EntityCount)
                return invalid;
            var claimed = preview.Text ?? "";
            var quoted = contents.Text ?? "";
            // Truncation-tolerant: the claim is a prefix of the original, cut on a character boundary.
            if (!quoted.StartsWith(claimed, StringComparison.Ordinal)
                || (claimed.Length < quoted.Length && claimed.Length > 0 && char.IsLowSurrogate(quoted[claimed.Length])))
                return invalid;
            return new XChatQuotedPreview(XChatPreviewStatus.Valid, envelope.MessageId, envelope.SenderId, claimed);
        }
        catch (XChatProtocolException)
        {
            return invalid;
        }
    }

    private static (string MessageId, string SenderId, string ConversationId) RequireEnvelope(WireMessageEvent wire) => (
        RequireComponent(wire.MessageId, XChatRejection.Malformed, "message id"),
        RequireComponent(wire.SenderId, XChatRejection.Malformed, "sender id"),
        RequireComponent(wire.ConversationId, XChatRejection.Malformed, "conversation id"));

    // Components are comma-joined without escaping: one with a comma (or none at all) could sign two meanings.
    private static string RequireComponent(string? value, XChatRejection reason, string what)
    {
        if (string.IsNullOrEmpty(value))
            throw new XChatProtocolException(reason, $"The event has no {what}.");
        if (value.Contains(',', StringComparison.Ordinal))
            throw new XChatProtocolException(XChatRejection.Malformed, $"The event's {what} contains a comma.");
        return value;
    }

    private static int SignatureVersionOf(WireSignature? signature)
    {
        if (signature is null || string.IsNullOrEmpty(signature.Signature))
            throw new XChatProtocolException(XChatRejection.InvalidSignature, "The event is not signed.");
        if (signature.SignatureVersion is null)
            return SignatureVersion;
        if (!int.TryParse(signature.SignatureVersion, NumberStyles.None, CultureInfo.InvariantCulture, out var version)
            || version < MinimumSignatureVersion || version > SignatureVersion)
            throw new XChatProtocolException(XChatRejection.UnsupportedSignatureVersion, "The event's signature version is not accepted.");
        return version;
    }

    private static XChatUserPublicKeys SigningKeyOf(WireMessageEvent wire, string senderId, IEnumerable<XChatUserPublicKeys> servedKeys)
    {
        var version = wire.Signature?.PublicKeyVersion;
        if (string.IsNullOrEmpty(version))
            throw new XChatProtocolException(XChatRejection.UnknownSigningKey, "The signature names no key version.");
        return servedKeys.FirstOrDefault(keys => keys.UserId == senderId && keys.KeyVersion == version && keys.BindingVerifies)
            ?? throw new XChatProtocolException(XChatRejection.UnknownSigningKey,
                "No served key of the sender at the signature's key version binds to its identity key.");
    }

    private static byte[] SignatureBytesOf(WireSignature signature)
    {
        var bytes = XChatBase64.Decode(signature.Signature, XChatCrypto.SignatureLength, XChatRejection.InvalidSignature, "signature");
        return bytes.Length == XChatCrypto.SignatureLength
            ? bytes
            : throw new XChatProtocolException(XChatRejection.InvalidSignature, "The signature is not 64 bytes (r‖s).");
    }

    private static byte[] Payload(params string[] components) => Encoding.UTF8.GetBytes(string.Join(',', components));
}
