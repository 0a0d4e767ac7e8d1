using TwitterBot.Processor.XChat.Protocol.Crypto;

namespace TwitterBot.Processor.XChat.Protocol;

/// <summary>
/// One registered key set of a user as <c>GET /2/users/{id}/public_keys</c> serves it: identity key (ECDH),
/// signing key (ECDSA), the identity cross-signature and the key version. Only a set whose
/// <see cref="BindingVerifies"/> is used to verify anything.
/// </summary>
public sealed class XChatUserPublicKeys
{
    private readonly byte[] identityPublicKeySignature;
    private readonly Lazy<bool> binding;

    public XChatUserPublicKeys(
        string userId, string keyVersion, XChatPublicKey identityPublicKey, XChatPublicKey signingPublicKey,
        ReadOnlySpan<byte> identityPublicKeySignature)
    {
        ArgumentException.ThrowIfNullOrEmpty(userId);
        ArgumentException.ThrowIfNullOrEmpty(keyVersion);
        UserId = userId;
        KeyVersion = keyVersion;
        IdentityPublicKey = identityPublicKey ?? throw new ArgumentNullException(nameof(identityPublicKey));
        SigningPublicKey = signingPublicKey ?? throw new ArgumentNullException(nameof(signingPublicKey));
        this.identityPublicKeySignature = identityPublicKeySignature.ToArray();
        // The signing key signs the identity key's bytes as served: the raw point in X's vectors, SPKI in production.
        binding = new Lazy<bool>(() => XChatCrypto.Verify(
            SigningPublicKey.Raw, this.identityPublicKeySignature, IdentityPublicKey.Served));
    }

    public string UserId { get; }

    /// <summary>The registered key version (<c>public_key_version</c>): what signatures and key changes name.</summary>
    public string KeyVersion { get; }

    /// <summary>The identity key (<c>public_key</c>): conversation keys are encrypted to it.</summary>
    public XChatPublicKey IdentityPublicKey { get; }

    /// <summary>The signing key (<c>signing_public_key</c>): messages and key changes are verified with it.</summary>
    public XChatPublicKey SigningPublicKey { get; }

    /// <summary><c>identity_public_key_signature</c>, base64 as X serves it.</summary>
    public string IdentityPublicKeySignatureBase64 => XChatBase64.Padded(identityPublicKeySignature);

    /// <summary>Whether the signing key's signature over the identity key (as served) verifies: X cannot swap one alone.</summary>
    public bool BindingVerifies => binding.Value;

    /// <summary>
    /// The key set from the fields as served (<c>public_key</c>, <c>signing_public_key</c>,
    /// <c>identity_public_key_signature</c>, <c>version</c>). Unusable input throws
    /// <see cref="XChatProtocolException"/> (<see cref="XChatRejection.InvalidKey"/>).
    /// </summary>
    public static XChatUserPublicKeys FromServed(
        string userId, string keyVersion, string publicKey, string signingPublicKey, string identityPublicKeySignature) =>
        new(userId, keyVersion, XChatPublicKey.Parse(publicKey), XChatPublicKey.Parse(signingPublicKey),
            XChatBase64.Decode(identityPublicKeySignature, XChatCrypto.SignatureLength, XChatRejection.InvalidKey, "identity signature"));

    public override string ToString() => $"XChatUserPublicKeys({UserId}, version {KeyVersion})";
}
