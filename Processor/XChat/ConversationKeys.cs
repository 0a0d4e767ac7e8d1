using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using Microsoft.Extensions.Options;
using TwitterBot.Processor.Options;

namespace TwitterBot.Processor.XChat;

/// <summary>
/// The 32-byte XChat conversation keys each bot has learnt, per (bot, conversation, key version), as
/// <c>Processor:Store:Kind</c> chose: PostgreSQL (<see cref="PostgresXChatConversationKeys"/>, encrypted at rest) or this
/// process's memory (<see cref="InMemoryXChatConversationKeys"/>). A key is stored once and never changes: a second,
/// different key for a version already known is reported, never stored (X's key changes are signed; a conflict means
/// something is wrong). Keys are never logged or put in exception messages.
/// </summary>
public interface IXChatConversationKeys
{
    /// <summary>Stores <paramref name="key"/> (32 bytes) for the version; safe when replicas add the same one at once.</summary>
    Task<ConversationKeyAdded> AddAsync(string botUserId, string conversationId, long keyVersion, ReadOnlyMemory<byte> key, CancellationToken cancellationToken);

    /// <summary>The key of that version, or null when it is not known (yet).</summary>
    /// <exception cref="ConversationKeyUnreadableException">It is stored but cannot be decrypted (another at-rest key, a damaged row).</exception>
    Task<byte[]?> FindAsync(string botUserId, string conversationId, long keyVersion, CancellationToken cancellationToken);

    /// <summary>The newest known key of the conversation (the highest version): what a reply is encrypted with.</summary>
    /// <exception cref="ConversationKeyUnreadableException">It is stored but cannot be decrypted.</exception>
    Task<XChatConversationKey?> CurrentAsync(string botUserId, string conversationId, CancellationToken cancellationToken);
}

public enum ConversationKeyAdded
{
    /// <summary>Stored now.</summary>
    Added,

    /// <summary>The same key was known already (a redelivered key change, or another replica stored it first).</summary>
    AlreadyKnown,

    /// <summary>A different key is stored for this version: nothing was changed.</summary>
    Conflicting,
}

/// <summary>A conversation key and its version. <see cref="ToString"/> never shows the key.</summary>
public sealed record XChatConversationKey(long Version, byte[] Key)
{
    public override string ToString() => $"conversation key version {Version.ToString(CultureInfo.InvariantCulture)}";
}

/// <summary>A stored conversation key does not decrypt: the at-rest key changed, or the row was altered.</summary>
public sealed class ConversationKeyUnreadableException(string botUserId, string conversationId, long keyVersion, Exception? inner = null)
    : Exception(string.Create(CultureInfo.InvariantCulture,
        $"The stored XChat conversation key of bot {botUserId}, conversation {conversationId}, version {keyVersion} does not decrypt: TwitterBot:XChat:ConversationKeysSecret is not the key it was stored with, or the row was altered."), inner);

/// <summary>
/// AES-256-GCM under <c>TwitterBot:XChat:ConversationKeysSecret</c>: a random 12-byte nonce per row, the row's identity
/// (bot, conversation, version) as associated data, so that a row copied onto another identity does not decrypt.
/// </summary>
public sealed class ConversationKeySealer(IOptions<XChatOptions> options)
{
    public const int KeyLength = 32;
    public const int NonceLength = 12;
    public const int TagLength = 16;

    /// <summary>The conversation id rows are stored under: one-to-one ids in their signed form (<c>a:b</c>), however X's URLs wrote them.</summary>
    public static string StoredConversationId(string conversationId) =>
        conversationId.StartsWith('g') ? conversationId : conversationId.Replace('-', ':');

    /// <returns>The nonce, and the ciphertext followed by its tag.</returns>
    public (byte[] Nonce, byte[] Sealed) Seal(string botUserId, string conversationId, long keyVersion, ReadOnlySpan<byte> key)
    {
        if (key.Length != KeyLength)
        {
            throw new ArgumentException($"An XChat conversation key is {KeyLength} bytes.", nameof(key));
        }

        var nonce = RandomNumberGenerator.GetBytes(NonceLength);
        var sealedKey = new byte[KeyLength + TagLength];
        using var aes = Cipher();
        aes.Encrypt(nonce, key, sealedKey.AsSpan(0, KeyLength), sealedKey.AsSpan(KeyLength), AssociatedData(botUserId, conversationId, keyVersion));
        return (nonce, sealedKey);
    }

    /// <exception cref="ConversationKeyUnreadableException">Not sealed under this at-rest key for this identity.</exception>
    public byte[] Open(string botUserId, string conversationId, long keyVersion, byte[] nonce, byte[] sealedKey)
    {
        if (nonce.Length != NonceLength || sealedKey.Length != KeyLength + TagLength)
        {
            throw new ConversationKeyUnreadableException(botUserId, conversationId, keyVersion);
        }

        var key = new byte[KeyLength];
        try
        {
            using var aes = Cipher();
            aes.Decrypt(nonce, sealedKey.AsSpan(0, KeyLength), sealedKey.AsSpan(KeyLength), key, AssociatedData(botUserId, conversationId, keyVersion));
            return key;
        }
        catch (AuthenticationTagMismatchException mismatch)
        {
            throw new ConversationKeyUnreadableException(botUserId, conversationId, keyVersion, mismatch);
        }
    }

    private AesGcm Cipher()
    {
        if (options.Value.ConversationKeysSecret is not { Length: > 0 })
        {
            throw new InvalidOperationException("TwitterBot:XChat:ConversationKeysSecret is not set: XChat conversation keys cannot be stored or read.");
        }

        var atRest = options.Value.ConversationKeysKey();
        try
        {
            return new AesGcm(atRest, TagLength);
        }
        finally
        {
            CryptographicOperations.ZeroMemory(atRest);
        }
    }

    private static byte[] AssociatedData(string botUserId, string conversationId, long keyVersion) =>
        Encoding.UTF8.GetBytes(string.Create(CultureInfo.InvariantCulture, $"twitterbot:xchat-conversation-key:{botUserId}:{StoredConversationId(conversationId)}:{keyVersion}"));
}
