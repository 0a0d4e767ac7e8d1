using System.Security.Cryptography;
using TwitterBot.Processor.XChat.Protocol.Crypto;

namespace TwitterBot.Processor.XChat.Protocol;

/// <summary>
/// A user's XChat private keys (the bot's, or a simulated user's): the P-256 identity key (ECDH) and signing key
/// (ECDSA), with the key version they are registered under. Imported from or exported to X's 64-byte blob
/// (identity ‖ signing, base64), the SDK's <c>export_keys</c>/<c>import_keys</c>. A secret: the blob and scalars
/// never appear in <see cref="ToString"/> or exception messages; <see cref="Dispose"/> zeroes them.
/// </summary>
public sealed class XChatKeyPair : IDisposable
{
    private const int BlobLength = 2 * XChatCrypto.ScalarLength;

    private readonly byte[] identityScalar;
    private readonly byte[] signingScalar;
    private bool disposed;

    private XChatKeyPair(byte[] identityScalar, byte[] signingScalar, string keyVersion)
    {
        ArgumentException.ThrowIfNullOrEmpty(keyVersion);
        this.identityScalar = identityScalar;
        this.signingScalar = signingScalar;
        KeyVersion = keyVersion;
        IdentityPublicKey = XChatPublicKey.FromBytes(XChatCrypto.PublicKeyOf(identityScalar));
        SigningPublicKey = XChatPublicKey.FromBytes(XChatCrypto.PublicKeyOf(signingScalar));
    }

    /// <summary>The version these keys are registered under at X (<c>public_key_version</c>).</summary>
    public string KeyVersion { get; }

    /// <summary>The identity public key (derived).</summary>
    public XChatPublicKey IdentityPublicKey { get; }

    /// <summary>The signing public key (derived).</summary>
    public XChatPublicKey SigningPublicKey { get; }

    /// <summary>
    /// Imports the 64-byte identity ‖ signing blob (base64, padded or not) registered under
    /// <paramref name="keyVersion"/>. A wrong length or an invalid scalar throws <see cref="XChatProtocolException"/>
    /// (<see cref="XChatRejection.InvalidKey"/>), whose message says so without the value.
    /// </summary>
    public static XChatKeyPair Import(string privateKeysBase64, string keyVersion)
    {
        var blob = XChatBase64.Decode(privateKeysBase64, BlobLength, XChatRejection.InvalidKey, "private key blob");
        try
        {
            return Import(blob, keyVersion);
        }
        finally
        {
            CryptographicOperations.ZeroMemory(blob);
        }
    }

    /// <summary>Imports the 64-byte identity ‖ signing blob.</summary>
    public static XChatKeyPair Import(ReadOnlySpan<byte> privateKeys, string keyVersion)
    {
        if (privateKeys.Length != BlobLength)
            throw new XChatProtocolException(XChatRejection.InvalidKey, "The private key blob must be 64 bytes (identity and signing key).");
        return new XChatKeyPair(privateKeys[..32].ToArray(), privateKeys[32..].ToArray(), keyVersion);
    }

    /// <summary>A new random key pair, to be registered under <paramref name="keyVersion"/> (X uses a millisecond timestamp).</summary>
    public static XChatKeyPair Generate(string keyVersion) =>
        new(XChatCrypto.NewScalar(), XChatCrypto.NewScalar(), keyVersion);

    /// <summary>The 64-byte blob, base64 (padded): what the operator stores as the bot's secret.</summary>
    public string ExportBlob()
    {
        ObjectDisposedException.ThrowIf(disposed, this);
        var blob = new byte[BlobLength];
        identityScalar.CopyTo(blob, 0);
        signingScalar.CopyTo(blob, 32);
        try
        {
            return XChatBase64.Padded(blob);
        }
        finally
        {
            CryptographicOperations.ZeroMemory(blob);
        }
    }

    /// <summary>
    /// The body of <c>POST /2/users/{id}/public_keys</c> for these keys: SPKI keys, the signing key's signature
    /// over the identity SPKI, the identity key's signature over the signing SPKI, the fingerprint.
    /// </summary>
    public XChatKeyRegistration CreateRegistration()
    {
        var identitySpki = IdentityPublicKey.Spki.ToArray();
        var signingSpki = SigningPublicKey.Spki.ToArray();
        return new XChatKeyRegistration(
            PublicKey: XChatBase64.Padded(identitySpki),
            SigningPublicKey: XChatBase64.Padded(signingSpki),
            IdentityPublicKeySignature: XChatBase64.Padded(Sign(identitySpki)),
            SigningPublicKeySignature: XChatBase64.Padded(SignWithIdentity(signingSpki)),
            PublicKeyFingerprint: Convert.ToBase64String(SHA256.HashData(identitySpki)).TrimEnd('=').Replace('+', '-').Replace('/', '_'),
            RegistrationMethod: "CustomPin",
            Version: KeyVersion);
    }

    /// <summary>
    /// These keys as X would serve them after <see cref="CreateRegistration"/> (SPKI, identity signature over the
    /// SPKI): for the simulator to serve, and for comparisons.
    /// </summary>
    public XChatUserPublicKeys ToServedKeys(string userId)
    {
        var registration = CreateRegistration();
        return XChatUserPublicKeys.FromServed(userId, KeyVersion, registration.PublicKey, registration.SigningPublicKey,
            registration.IdentityPublicKeySignature);
    }

    /// <summary>Whether X's served keys are these keys (same points at the same version, binding verified): <c>doctor</c>'s check.</summary>
    public bool Matches(XChatUserPublicKeys served)
    {
        ArgumentNullException.ThrowIfNull(served);
        return served.KeyVersion == KeyVersion
            && served.IdentityPublicKey.SamePointAs(IdentityPublicKey)
            && served.SigningPublicKey.SamePointAs(SigningPublicKey)
            && served.BindingVerifies;
    }

    /// <summary>
    /// Signs arbitrary bytes with the signing key: deterministic ECDSA P-256 SHA-256 (RFC 6979), raw r‖s, so equal
    /// input gives equal signatures (X's vectors are reproduced byte for byte). The protocol's own signatures are made
    /// by <see cref="XChatProtocol"/>; this is for vectors and for the SDK's plain <c>sign</c>.
    /// </summary>
    public byte[] Sign(ReadOnlySpan<byte> payload)
    {
        ObjectDisposedException.ThrowIf(disposed, this);
        return XChatCrypto.Sign(signingScalar, payload);
    }

    /// <summary>The protocol's signatures (messages, key changes): platform ECDSA, randomised, much faster than <see cref="Sign"/>.</summary>
    internal byte[] SignForProtocol(ReadOnlySpan<byte> payload)
    {
        ObjectDisposedException.ThrowIf(disposed, this);
        return XChatCrypto.SignFast(signingScalar, SigningPublicKey.Raw, payload);
    }

    internal byte[] DecryptWithIdentity(ReadOnlySpan<byte> eciesBlob)
    {
        ObjectDisposedException.ThrowIf(disposed, this);
        return XChatCrypto.EciesDecrypt(identityScalar, IdentityPublicKey.Raw, eciesBlob);
    }

    public void Dispose()
    {
        if (disposed)
            return;
        disposed = true;
        CryptographicOperations.ZeroMemory(identityScalar);
        CryptographicOperations.ZeroMemory(signingScalar);
    }

    public override string ToString() => $"XChatKeyPair(version {KeyVersion}, [redacted])";

    private byte[] SignWithIdentity(ReadOnlySpan<byte> payload)
    {
        ObjectDisposedException.ThrowIf(disposed, this);
        return XChatCrypto.Sign(identityScalar, payload);
    }
}

/// <summary>
/// The fields of <c>POST /2/users/{id}/public_keys</c>: <c>public_key</c> { <c>public_key</c>,
/// <c>signing_public_key</c>, <c>identity_public_key_signature</c>, <c>signing_public_key_signature</c>,
/// <c>public_key_fingerprint</c>, <c>registration_method</c> }, <c>version</c>, and <c>generate_version</c> (true,
/// as X's SDK sends). All public; no secret in it.
/// </summary>
public sealed record XChatKeyRegistration(
    string PublicKey,
    string SigningPublicKey,
    string IdentityPublicKeySignature,
    string SigningPublicKeySignature,
    string PublicKeyFingerprint,
    string RegistrationMethod,
    string Version)
{
    public bool GenerateVersion => true;
}
