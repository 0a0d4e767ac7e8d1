namespace TwitterBot.Processor.XChat.Protocol.Thrift;

// The wire structs this project reads and writes, with X's field ids (xdevplatform/chat-xdk thrift/event.thrift and
// thrift/product.thrift). Unknown fields are skipped, as Thrift's generated readers do; known fields of an
// unexpected type are skipped too, so a field means what the IDL says or it is absent.

internal sealed class WireMessageEvent
{
    public string? SequenceId { get; set; }
    public string? MessageId { get; set; }
    public string? SenderId { get; set; }
    public string? ConversationId { get; set; }
    public string? ConversationToken { get; set; }
    public string? CreatedAtMsec { get; set; }
    public WireDetail? Detail { get; set; }
    public WireSignature? Signature { get; set; }
}

internal sealed class WireDetail
{
    /// <summary>The union's field id (1 message create, 3 key change, 5 failure, …); 0 when empty.</summary>
    public short Variant { get; set; }
    public WireMessageCreate? MessageCreate { get; set; }
    public WireKeyChange? KeyChange { get; set; }
    public WireFailure? Failure { get; set; }
}

internal sealed class WireMessageCreate
{
    public byte[]? Contents { get; set; }
    public string? ConversationKeyVersion { get; set; }
    public bool? ShouldNotify { get; set; }
    public long? TtlMsec { get; set; }
}

internal sealed class WireKeyChange
{
    public string? ConversationKeyVersion { get; set; }
    public List<WireParticipantKey> ParticipantKeys { get; } = [];
    public bool? ForKeyRotation { get; set; }
}

internal sealed class WireParticipantKey
{
    public string? UserId { get; set; }
    public string? EncryptedConversationKey { get; set; }
    public string? PublicKeyVersion { get; set; }
}

internal sealed class WireSignature
{
    public string? Signature { get; set; }
    public string? PublicKeyVersion { get; set; }
    public string? SignatureVersion { get; set; }
}

internal sealed class WireFailure
{
    public int? FailureType { get; set; }
    public int? RateLimitTier { get; set; }
}

internal sealed class WireContents
{
    /// <summary>MessageEntryContents' field id (1 message, 2 reaction, 4 edit, …); 0 when empty.</summary>
    public short Variant { get; set; }
    public string? Text { get; set; }
    public List<WireEntity> Entities { get; } = [];
    public int EntityCount => Entities.Count;
    public int AttachmentCount { get; set; }
    public WirePreview? Preview { get; set; }
}

/// <summary>
/// RichTextEntity { 1 start_index, 2 end_index, 3 content }: a span of the message text; <see cref="Kind"/> is
/// RichTextContent's field id (1 hashtag, 2 cashtag, 3 mention, 4 url, …; 0 when absent). A mention carries no user id:
/// what it names is the text of its span (<c>@handle</c>).
/// </summary>
internal sealed class WireEntity
{
    public int? Start { get; set; }
    public int? End { get; set; }
    public short Kind { get; set; }
}

internal sealed class WirePreview
{
    public long? SenderId { get; set; }
    public string? Text { get; set; }
    public int EntityCount { get; set; }
    public int AttachmentCount { get; set; }
    public string? ReplyingToMessageId { get; set; }
    public WireMessageEvent? RawMessageCreate { get; set; }
    public WireMessageEvent? RawEdit { get; set; }
    public List<WireMessageEvent> RawKeyChanges { get; } = [];
}

/// <summary>Reads and writes the wire structs, bounded (see <see cref="ThriftReader"/>).</summary>
internal static class XChatWire
{
    /// <summary>Largest decoded event accepted (X's contents limit is far below; an attachment-free event is &lt;4 KiB).</summary>
    public const int MaxEventBytes = 256 * 1024;

    private const int MaxIdBytes = 256;
    private const int MaxTextBytes = 64 * 1024;
    private const int MaxKeyStringBytes = 2048;

    public static WireMessageEvent ReadEvent(ReadOnlySpan<byte> bytes)
    {
        if (bytes.Length > MaxEventBytes)
            throw new XChatProtocolException(XChatRejection.Malformed, "The event is larger than accepted.");
        var reader = new ThriftReader(bytes);
        var message = ReadMessageEvent(ref reader);
        if (!reader.AtEnd)
            throw new XChatProtocolException(XChatRejection.Malformed, "The event has trailing bytes.");
        return message;
    }

    public static WireContents ReadContents(ReadOnlySpan<byte> bytes)
    {
        var reader = new ThriftReader(bytes);
        // MessageEntryHolder { 1: MessageEntryContents contents }
        var contents = reader.ReadStruct(new WireContents(), static (ref ThriftReader r, ThriftType type, short id, WireContents c) =>
        {
            if (id != 1 || type != ThriftType.Struct)
                return false;
            ReadEntryContents(ref r, c);
            return true;
        });
        if (!reader.AtEnd)
            throw new XChatProtocolException(XChatRejection.Malformed, "The contents have trailing bytes.");
        return contents;
    }

    private static WireMessageEvent ReadMessageEvent(ref ThriftReader reader) =>
        reader.ReadStruct(new WireMessageEvent(), static (ref ThriftReader r, ThriftType type, short id, WireMessageEvent message) =>
        {
            switch (id)
            {
                case 1 when type == ThriftType.String: message.SequenceId = r.ReadString(MaxIdBytes); return true;
                case 2 when type == ThriftType.String: message.MessageId = r.ReadString(MaxIdBytes); return true;
                case 3 when type == ThriftType.String: message.SenderId = r.ReadString(MaxIdBytes); return true;
                case 4 when type == ThriftType.String: message.ConversationId = r.ReadString(MaxIdBytes); return true;
                case 5 when type == ThriftType.String: message.ConversationToken = r.ReadString(MaxKeyStringBytes); return true;
                case 6 when type == ThriftType.String: message.CreatedAtMsec = r.ReadString(MaxIdBytes); return true;
                case 7 when type == ThriftType.Struct: message.Detail = ReadDetail(ref r); return true;
                case 9 when type == ThriftType.Struct: message.Signature = ReadSignature(ref r); return true;
                default: return false;
            }
        });

    private static WireDetail ReadDetail(ref ThriftReader reader) =>
        reader.ReadStruct(new WireDetail(), static (ref ThriftReader r, ThriftType type, short id, WireDetail detail) =>
        {
            if (detail.Variant != 0)
                throw new XChatProtocolException(XChatRejection.Malformed, "The event detail sets more than one variant.");
            detail.Variant = id;
            switch (id)
            {
                case 1 when type == ThriftType.Struct: detail.MessageCreate = ReadMessageCreate(ref r); return true;
                case 3 when type == ThriftType.Struct: detail.KeyChange = ReadKeyChange(ref r); return true;
                case 5 when type == ThriftType.Struct: detail.Failure = ReadFailure(ref r); return true;
                default: return false;
            }
        });

    private static WireMessageCreate ReadMessageCreate(ref ThriftReader reader) =>
        reader.ReadStruct(new WireMessageCreate(), static (ref ThriftReader r, ThriftType type, short id, WireMessageCreate create) =>
        {
            switch (id)
            {
                case 100 when type == ThriftType.String: create.Contents = r.ReadBinary(MaxEventBytes); return true;
                case 101 when type == ThriftType.String: create.ConversationKeyVersion = r.ReadString(MaxIdBytes); return true;
                case 102 when type == ThriftType.Bool: create.ShouldNotify = r.ReadBool(); return true;
                case 103 when type == ThriftType.I64: create.TtlMsec = r.ReadI64(); return true;
                default: return false;
            }
        });

    private static WireKeyChange ReadKeyChange(ref ThriftReader reader) =>
        reader.ReadStruct(new WireKeyChange(), static (ref ThriftReader r, ThriftType type, short id, WireKeyChange change) =>
        {
            switch (id)
            {
                case 1 when type == ThriftType.String: change.ConversationKeyVersion = r.ReadString(MaxIdBytes); return true;
                case 2 when type == ThriftType.List: r.ReadStructList(change.ParticipantKeys, ReadParticipantKey); return true;
                case 5 when type == ThriftType.Bool: change.ForKeyRotation = r.ReadBool(); return true;
                default: return false;
            }
        });

    private static WireParticipantKey ReadParticipantKey(ref ThriftReader reader) =>
        reader.ReadStruct(new WireParticipantKey(), static (ref ThriftReader r, ThriftType type, short id, WireParticipantKey key) =>
        {
            switch (id)
            {
                case 1 when type == ThriftType.String: key.UserId = r.ReadString(MaxIdBytes); return true;
                case 2 when type == ThriftType.String: key.EncryptedConversationKey = r.ReadString(MaxKeyStringBytes); return true;
                case 3 when type == ThriftType.String: key.PublicKeyVersion = r.ReadString(MaxIdBytes); return true;
                default: return false;
            }
        });

    private static WireSignature ReadSignature(ref ThriftReader reader) =>
        reader.ReadStruct(new WireSignature(), static (ref ThriftReader r, ThriftType type, short id, WireSignature signature) =>
        {
            switch (id)
            {
                case 1 when type == ThriftType.String: signature.Signature = r.ReadString(MaxIdBytes); return true;
                case 2 when type == ThriftType.String: signature.PublicKeyVersion = r.ReadString(MaxIdBytes); return true;
                case 3 when type == ThriftType.String: signature.SignatureVersion = r.ReadString(MaxIdBytes); return true;
                // 4 and 5 carry signing keys inside the event: never trusted, so never read.
                default: return false;
            }
        });

    private static WireFailure ReadFailure(ref ThriftReader reader) =>
        reader.ReadStruct(new WireFailure(), static (ref ThriftReader r, ThriftType type, short id, WireFailure failure) =>
        {
            switch (id)
            {
                case 1 when type == ThriftType.I32: failure.FailureType = r.ReadI32(); return true;
                case 2 when type == ThriftType.I32: failure.RateLimitTier = r.ReadI32(); return true;
                default: return false;
            }
        });

    private static void ReadEntryContents(ref ThriftReader reader, WireContents contents) =>
        reader.ReadStruct(contents, static (ref ThriftReader r, ThriftType type, short id, WireContents c) =>
        {
            if (c.Variant != 0)
                throw new XChatProtocolException(XChatRejection.Malformed, "The contents set more than one variant.");
            c.Variant = id;
            if (id != 1 || type != ThriftType.Struct)
                return false;
            ReadMessageContents(ref r, c);
            return true;
        });

    private static void ReadMessageContents(ref ThriftReader reader, WireContents contents) =>
        reader.ReadStruct(contents, static (ref ThriftReader r, ThriftType type, short id, WireContents c) =>
        {
            switch (id)
            {
                case 1 when type == ThriftType.String: c.Text = r.ReadString(MaxTextBytes); return true;
                case 2 when type == ThriftType.List: r.ReadStructList(c.Entities, ReadEntity); return true;
                case 3 when type == ThriftType.List: c.AttachmentCount = CountList(ref r); return true;
                case 4 when type == ThriftType.Struct: c.Preview = ReadPreview(ref r); return true;
                default: return false;
            }
        });

    private static WirePreview ReadPreview(ref ThriftReader reader) =>
        reader.ReadStruct(new WirePreview(), static (ref ThriftReader r, ThriftType type, short id, WirePreview preview) =>
        {
            switch (id)
            {
                case 1 when type == ThriftType.I64: preview.SenderId = r.ReadI64(); return true;
                case 2 when type == ThriftType.String: preview.Text = r.ReadString(MaxTextBytes); return true;
                case 3 when type == ThriftType.List: preview.EntityCount = CountList(ref r); return true;
                case 4 when type == ThriftType.List: preview.AttachmentCount = CountList(ref r); return true;
                case 7 when type == ThriftType.String: preview.ReplyingToMessageId = r.ReadString(MaxIdBytes); return true;
                case 8 when type == ThriftType.Struct: preview.RawMessageCreate = ReadMessageEvent(ref r); return true;
                case 9 when type == ThriftType.Struct: preview.RawEdit = ReadMessageEvent(ref r); return true;
                case 10 when type == ThriftType.List: r.ReadStructList(preview.RawKeyChanges, ReadMessageEvent); return true;
                default: return false;
            }
        });

    private static WireEntity ReadEntity(ref ThriftReader reader) =>
        reader.ReadStruct(new WireEntity(), static (ref ThriftReader r, ThriftType type, short id, WireEntity entity) =>
        {
            switch (id)
            {
                case 1 when type == ThriftType.I32: entity.Start = r.ReadI32(); return true;
                case 2 when type == ThriftType.I32: entity.End = r.ReadI32(); return true;
                case 3 when type == ThriftType.Struct: entity.Kind = ReadUnionVariant(ref r); return true;
                default: return false;
            }
        });

    /// <summary>A union's field id, its value skipped (RichTextContent's variants are empty structs).</summary>
    private static short ReadUnionVariant(ref ThriftReader reader) =>
        reader.ReadStruct(new UnionVariant(), static (ref ThriftReader r, ThriftType type, short id, UnionVariant union) =>
        {
            if (union.Id != 0)
                throw new XChatProtocolException(XChatRejection.Malformed, "A union sets more than one variant.");
            union.Id = id;
            return false;
        }).Id;

    private sealed class UnionVariant
    {
        public short Id { get; set; }
    }

    private static int CountList(ref ThriftReader reader)
    {
        reader.EnterStruct();
        var (elementType, count) = reader.ReadListBegin();
        for (var i = 0; i < count; i++)
            reader.Skip(elementType);
        reader.LeaveStruct();
        return count;
    }

    // Writers: only what the bot sends and what the simulator delivers.

    /// <summary>MessageCreateEvent { 100 contents, 101 key version, 102 should_notify }.</summary>
    public static byte[] WriteMessageCreate(ReadOnlySpan<byte> contents, string conversationKeyVersion, bool shouldNotify)
    {
        var writer = new ThriftWriter();
        writer.Binary(100, contents);
        writer.String(101, conversationKeyVersion);
        writer.Bool(102, shouldNotify);
        writer.FieldStop();
        return writer.ToArray();
    }

    /// <summary>MessageEventSignature { 1 signature, 2 public key version, 3 signature version }.</summary>
    public static byte[] WriteSignature(string signature, string publicKeyVersion, string signatureVersion)
    {
        var writer = new ThriftWriter();
        writer.String(1, signature);
        writer.String(2, publicKeyVersion);
        writer.String(3, signatureVersion);
        writer.FieldStop();
        return writer.ToArray();
    }

    /// <summary>ConversationKeyChangeEvent { 1 key version, 2 participant keys }.</summary>
    public static byte[] WriteKeyChange(string conversationKeyVersion, IReadOnlyList<(string UserId, string EncryptedKey, string PublicKeyVersion)> keys)
    {
        var writer = new ThriftWriter();
        writer.String(1, conversationKeyVersion);
        writer.ListBegin(2, ThriftType.Struct, keys.Count);
        foreach (var (userId, encryptedKey, publicKeyVersion) in keys)
        {
            writer.String(1, userId);
            writer.String(2, encryptedKey);
            writer.String(3, publicKeyVersion);
            writer.FieldStop();
        }
        writer.FieldStop();
        return writer.ToArray();
    }

    /// <summary>
    /// MessageEvent around an already serialised detail variant (<paramref name="variant"/>: 1 message create,
    /// 3 key change) and signature, as X delivers it.
    /// </summary>
    public static byte[] WriteMessageEvent(
        string? sequenceId, string messageId, string senderId, string conversationId, string? createdAtMsec,
        short variant, ReadOnlySpan<byte> detailBody, ReadOnlySpan<byte> signatureBody)
    {
        var writer = new ThriftWriter();
        if (sequenceId is not null)
            writer.String(1, sequenceId);
        writer.String(2, messageId);
        writer.String(3, senderId);
        writer.String(4, conversationId);
        if (createdAtMsec is not null)
            writer.String(6, createdAtMsec);
        writer.FieldBegin(ThriftType.Struct, 7);
        writer.FieldBegin(ThriftType.Struct, variant);
        writer.Raw(detailBody);
        writer.FieldStop();
        writer.FieldBegin(ThriftType.Struct, 9);
        writer.Raw(signatureBody);
        writer.FieldStop();
        return writer.ToArray();
    }

    /// <summary>
    /// MessageEntryHolder { 1: MessageEntryContents { 1: MessageContents { 1 text, 2 entities, 3 attachments } } }; each
    /// attachment a MediaAttachment { 1 media_hash_key, 3 type IMAGE } (what a simulated user attaches).
    /// </summary>
    public static byte[] WriteTextContents(
        string text, IReadOnlyList<(int Start, int End, short Kind)>? entities = null, IReadOnlyList<string>? mediaHashKeys = null)
    {
        var writer = new ThriftWriter();
        writer.FieldBegin(ThriftType.Struct, 1);
        writer.FieldBegin(ThriftType.Struct, 1);
        writer.String(1, text);
        if (entities is { Count: > 0 })
        {
            writer.ListBegin(2, ThriftType.Struct, entities.Count);
            foreach (var (start, end, kind) in entities)
            {
                writer.I32(1, start);
                writer.I32(2, end);
                writer.FieldBegin(ThriftType.Struct, 3);
                writer.FieldBegin(ThriftType.Struct, kind);
                writer.FieldStop();
                writer.FieldStop();
                writer.FieldStop();
            }
        }
        if (mediaHashKeys is { Count: > 0 })
        {
            writer.ListBegin(3, ThriftType.Struct, mediaHashKeys.Count);
            foreach (var hashKey in mediaHashKeys)
            {
                writer.FieldBegin(ThriftType.Struct, 1);
                writer.String(1, hashKey);
                writer.I32(3, 1);
                writer.FieldStop();
                writer.FieldStop();
            }
        }
        writer.FieldStop();
        writer.FieldStop();
        writer.FieldStop();
        return writer.ToArray();
    }
}
