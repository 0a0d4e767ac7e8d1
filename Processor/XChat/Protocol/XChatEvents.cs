using TwitterBot.Processor.XChat.Protocol.Thrift;

namespace TwitterBot.Processor.XChat.Protocol;

/// <summary>The envelope of every XChat event (<c>MessageEvent</c>): unsigned routing metadata as X relays it.</summary>
public sealed record XChatEnvelope(
    string? SequenceId, string? MessageId, string? SenderId, string? ConversationId, string? CreatedAtMsec);

/// <summary>
/// A decoded XChat event (<see cref="XChatEvents.Decode"/>): nothing in it is verified yet. One of
/// <see cref="XChatMessageEvent"/>, <see cref="XChatKeyChangeEvent"/>, <see cref="XChatFailureEvent"/>,
/// <see cref="XChatOtherEvent"/>.
/// </summary>
public abstract class XChatEvent
{
    private protected XChatEvent(WireMessageEvent wire)
    {
        Wire = wire;
        Envelope = new XChatEnvelope(wire.SequenceId, wire.MessageId, wire.SenderId, wire.ConversationId, wire.CreatedAtMsec);
    }

    public XChatEnvelope Envelope { get; }

    internal WireMessageEvent Wire { get; }

    public override string ToString() =>
        $"{GetType().Name}(message {Envelope.MessageId}, sender {Envelope.SenderId}, conversation {Envelope.ConversationId})";
}

/// <summary>An encrypted, signed message (<c>MessageCreateEvent</c>); open it with <see cref="XChatProtocol.OpenMessage"/>.</summary>
public sealed class XChatMessageEvent : XChatEvent
{
    internal XChatMessageEvent(WireMessageEvent wire, WireMessageCreate create)
        : base(wire) => Create = create;

    /// <summary>The conversation-key version the contents are encrypted under (null: the message is refused on open).</summary>
    public string? ConversationKeyVersion => Create.ConversationKeyVersion;

    internal WireMessageCreate Create { get; }
}

/// <summary>A conversation key change (<c>ConversationKeyChangeEvent</c>); open it with <see cref="XChatProtocol.OpenKeyChange"/>.</summary>
public sealed class XChatKeyChangeEvent : XChatEvent
{
    internal XChatKeyChangeEvent(WireMessageEvent wire, WireKeyChange change)
        : base(wire)
    {
        Change = change;
        Participants = change.ParticipantKeys.Select(key => new XChatKeyChangeParticipant(key.UserId, key.PublicKeyVersion)).ToList();
    }

    /// <summary>The new conversation-key version.</summary>
    public string? ConversationKeyVersion => Change.ConversationKeyVersion;

    /// <summary>Who the key is encrypted to (user id and the identity-key version it is encrypted under).</summary>
    public IReadOnlyList<XChatKeyChangeParticipant> Participants { get; }

    internal WireKeyChange Change { get; }
}

/// <summary>A participant entry of a key change (no key material).</summary>
public sealed record XChatKeyChangeParticipant(string? UserId, string? PublicKeyVersion);

/// <summary>
/// X's report that a message failed (<c>MessageFailureEvent</c>, unsigned by protocol). <see cref="FailureType"/>
/// is X's <c>FailureType</c> (e.g. 5 invalid sender signature, 12 rate-limit upsell), <see cref="RateLimitTier"/>
/// its <c>RateLimitTier</c> (1 free … 5 premium business).
/// </summary>
public sealed class XChatFailureEvent : XChatEvent
{
    internal XChatFailureEvent(WireMessageEvent wire, WireFailure failure)
        : base(wire)
    {
        FailureType = failure.FailureType;
        RateLimitTier = failure.RateLimitTier;
    }

    public int? FailureType { get; }

    public int? RateLimitTier { get; }
}

/// <summary>Any other event kind (typing, group change, delete, read marker…): <see cref="Variant"/> is its Thrift field id.</summary>
public sealed class XChatOtherEvent : XChatEvent
{
    internal XChatOtherEvent(WireMessageEvent wire)
        : base(wire) => Variant = wire.Detail?.Variant ?? 0;

    /// <summary><c>MessageEventDetail</c>'s field id (6 typing, 4 group change, 7 delete, …; 0 no detail).</summary>
    public int Variant { get; }
}

/// <summary>Decoding of base64 XChat events (a webhook's <c>payload.encoded_event</c>, a conversation page's events).</summary>
public static class XChatEvents
{
    /// <summary>Longest base64 event accepted.</summary>
    public const int MaxEncodedLength = (XChatWire.MaxEventBytes + 2) / 3 * 4;

    /// <summary>
    /// Decodes a base64 (padded or not) Thrift <c>MessageEvent</c>. Anything else, oversized input included, throws
    /// <see cref="XChatProtocolException"/> (<see cref="XChatRejection.Malformed"/>) and nothing else.
    /// </summary>
    public static XChatEvent Decode(string encodedEvent)
    {
        var bytes = XChatBase64.Decode(encodedEvent, XChatWire.MaxEventBytes, XChatRejection.Malformed, "event");
        return FromBytes(bytes);
    }

    /// <summary>Like <see cref="Decode"/>, as a result: false and the reason instead of an exception.</summary>
    public static bool TryDecode(string encodedEvent, out XChatEvent? decoded, out XChatRejection reason)
    {
        try
        {
            decoded = Decode(encodedEvent);
            reason = default;
            return true;
        }
        catch (XChatProtocolException exception)
        {
            decoded = null;
            reason = exception.Reason;
            return false;
        }
    }

    internal static XChatEvent FromBytes(ReadOnlySpan<byte> bytes) => FromWire(XChatWire.ReadEvent(bytes));

    internal static XChatEvent FromWire(WireMessageEvent wire) => wire.Detail switch
    {
        { Variant: 1, MessageCreate: { } create } => new XChatMessageEvent(wire, create),
        { Variant: 3, KeyChange: { } change } => new XChatKeyChangeEvent(wire, change),
        { Variant: 5, Failure: { } failure } => new XChatFailureEvent(wire, failure),
        { Variant: 1 or 3 or 5 } => throw new XChatProtocolException(XChatRejection.Malformed, "The event detail has the wrong type."),
        _ => new XChatOtherEvent(wire),
    };
}
