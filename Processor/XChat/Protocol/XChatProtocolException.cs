namespace TwitterBot.Processor.XChat.Protocol;

/// <summary>Why an XChat event, key or message was refused. Safe to log and to count (no content in it).</summary>
public enum XChatRejection
{
    /// <summary>Not base64, not Thrift, a length out of bounds, a string that is not UTF-8, a field missing.</summary>
    Malformed,

    /// <summary>Signature version missing-but-required, below 2, or newer than this code knows.</summary>
    UnsupportedSignatureVersion,

    /// <summary>No served key of the event's sender at the signature's key version whose binding verifies.</summary>
    UnknownSigningKey,

    /// <summary>The signature does not verify over the signed payload.</summary>
    InvalidSignature,

    /// <summary>A message or key change without its conversation-key version.</summary>
    MissingKeyVersion,

    /// <summary>No conversation key is known for the message's conversation and key version.</summary>
    UnknownConversationKey,

    /// <summary>Authenticated decryption failed (wrong key or tampered ciphertext).</summary>
    DecryptionFailed,

    /// <summary>A key change that carries no key for this recipient at its registered key version.</summary>
    NotAddressedToRecipient,

    /// <summary>The event is of another kind than the operation expects.</summary>
    WrongEventKind,

    /// <summary>A key, blob or argument given by the caller is not usable (wrong length, not a P-256 point…).</summary>
    InvalidKey,
}

/// <summary>
/// The one exception the XChat protocol throws for anything it refuses. Its message names the rule, never a key,
/// a signature, a ciphertext or a text.
/// </summary>
public sealed class XChatProtocolException : Exception
{
    public XChatProtocolException(XChatRejection reason, string message)
        : base(message) => Reason = reason;

    public XChatProtocolException(XChatRejection reason, string message, Exception innerException)
        : base(message, innerException) => Reason = reason;

    public XChatProtocolException()
        : this(XChatRejection.Malformed, "The XChat input was refused.")
    {
    }

    public XChatProtocolException(string message)
        : this(XChatRejection.Malformed, message)
    {
    }

    public XChatProtocolException(string message, Exception innerException)
        : this(XChatRejection.Malformed, message, innerException)
    {
    }

    /// <summary>Why the input was refused.</summary>
    public XChatRejection Reason { get; }
}
