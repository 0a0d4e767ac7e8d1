using System.Security.Cryptography;
using TwitterBot.Processor.XChat.Protocol.Crypto;

namespace TwitterBot.Processor.XChat.Protocol;

/// <summary>
/// A conversation's 32-byte symmetric key at one version, with the conversation it belongs to (canonical id).
/// A secret: never in <see cref="ToString"/>; store it encrypted at rest.
/// </summary>
public sealed class XChatConversationKey
{
    private readonly byte[] key;

    public XChatConversationKey(string conversationId, string keyVersion, ReadOnlySpan<byte> key)
    {
        ArgumentException.ThrowIfNullOrEmpty(conversationId);
        ArgumentException.ThrowIfNullOrEmpty(keyVersion);
        if (key.Length != XChatCrypto.ConversationKeyLength)
            throw new XChatProtocolException(XChatRejection.InvalidKey, "A conversation key must be 32 bytes.");
        ConversationId = XChatConversationId.Canonical(conversationId);
        KeyVersion = keyVersion;
        this.key = key.ToArray();
    }

    /// <summary>Canonical conversation id (<c>min:max</c> or <c>g…</c>).</summary>
    public string ConversationId { get; }

    /// <summary>The key's version (<c>conversation_key_version</c>), e.g. a millisecond timestamp.</summary>
    public string KeyVersion { get; }

    /// <summary>The 32 key bytes (to store encrypted at rest).</summary>
    public ReadOnlySpan<byte> Key => key;

    /// <summary>A fresh random key for a conversation (a simulated user creating or rotating one).</summary>
    public static XChatConversationKey Generate(string conversationId, string keyVersion) =>
        new(conversationId, keyVersion, RandomNumberGenerator.GetBytes(XChatCrypto.ConversationKeyLength));

    public override string ToString() => $"XChatConversationKey({ConversationId}, version {KeyVersion}, [redacted])";
}
