using System.Security.Cryptography;
using Org.BouncyCastle.Asn1.X9;
using Org.BouncyCastle.Crypto.Digests;
using Org.BouncyCastle.Crypto.Engines;
using Org.BouncyCastle.Crypto.Macs;
using Org.BouncyCastle.Crypto.Modes;
using Org.BouncyCastle.Crypto.Parameters;
using Org.BouncyCastle.Crypto.Signers;
using Org.BouncyCastle.Math;

namespace TwitterBot.Processor.XChat.Protocol.Crypto;

/// <summary>
/// The protocol's primitives (xdevplatform/chat-xdk docs/CRYPTO.md): P-256 keys, ECDSA-SHA256 with raw r‖s,
/// ECIES (ECDH P-256, X9.63 KDF SHA-256, AES-128-GCM with a 16-byte IV) and XSalsa20-Poly1305 secretbox
/// (nonce‖tag‖ciphertext). Failures are <see cref="XChatProtocolException"/>s without secrets in their messages.
/// </summary>
internal static class XChatCrypto
{
    public const int ScalarLength = 32;
    public const int RawPublicKeyLength = 65;
    public const int SignatureLength = 64;
    public const int ConversationKeyLength = 32;
    private const int SecretBoxNonceLength = 24;
    private const int SecretBoxTagLength = 16;
    private const int EciesTagLength = 16;

    private static readonly X9ECParameters Curve = ECNamedCurveTable.GetByName("P-256");
    private static readonly ECDomainParameters Domain = new(Curve);

    /// <summary>The 65-byte uncompressed point of a 32-byte private scalar (rejects 0 and ≥ n).</summary>
    public static byte[] PublicKeyOf(ReadOnlySpan<byte> scalar)
    {
        var d = ScalarOf(scalar);
        return Domain.G.Multiply(d).Normalize().GetEncoded(false);
    }

    /// <summary>A fresh random valid scalar.</summary>
    public static byte[] NewScalar()
    {
        using var key = ECDiffieHellman.Create(ECCurve.NamedCurves.nistP256);
        var parameters = key.ExportParameters(includePrivateParameters: true);
        return parameters.D!;
    }

    /// <summary>Deterministic ECDSA-P256-SHA256 (RFC 6979), raw r‖s: reproduces X's vectors byte for byte.</summary>
    public static byte[] Sign(ReadOnlySpan<byte> scalar, ReadOnlySpan<byte> payload)
    {
        var signer = new ECDsaSigner(new HMacDsaKCalculator(new Sha256Digest()));
        signer.Init(true, new ECPrivateKeyParameters(ScalarOf(scalar), Domain));
        var rs = signer.GenerateSignature(SHA256.HashData(payload));
        var signature = new byte[SignatureLength];
        rs[0].ToByteArrayUnsigned().CopyTo(signature.AsSpan(ScalarLength - rs[0].ToByteArrayUnsigned().Length));
        rs[1].ToByteArrayUnsigned().CopyTo(signature.AsSpan(SignatureLength - rs[1].ToByteArrayUnsigned().Length));
        return signature;
    }

    /// <summary>
    /// ECDSA-P256-SHA256, raw r‖s, through the platform (OpenSSL): randomised k, about ten times faster than
    /// <see cref="Sign"/>. Used for the protocol's signatures, where reproducibility buys nothing (the contents'
    /// nonce is random anyway); <paramref name="rawPublicKey"/> is the scalar's own point (spares deriving it).
    /// </summary>
    public static byte[] SignFast(ReadOnlySpan<byte> scalar, ReadOnlySpan<byte> rawPublicKey, ReadOnlySpan<byte> payload)
    {
        var d = scalar.ToArray();
        try
        {
            using var key = ECDsa.Create(PrivateParameters(d, rawPublicKey));
            return key.SignData(payload, HashAlgorithmName.SHA256, DSASignatureFormat.IeeeP1363FixedFieldConcatenation);
        }
        finally
        {
            CryptographicOperations.ZeroMemory(d);
        }
    }

    /// <summary>Verifies a raw r‖s signature over <paramref name="payload"/> with a 65-byte public point.</summary>
    public static bool Verify(ReadOnlySpan<byte> rawPublicKey, ReadOnlySpan<byte> signature, ReadOnlySpan<byte> payload)
    {
        if (signature.Length != SignatureLength)
            return false;
        using var key = ImportPublic(rawPublicKey);
        return key.VerifyData(payload, signature, HashAlgorithmName.SHA256, DSASignatureFormat.IeeeP1363FixedFieldConcatenation);
    }

    /// <summary>ECIES-encrypts <paramref name="plaintext"/> to a 65-byte identity public key.</summary>
    public static byte[] EciesEncrypt(ReadOnlySpan<byte> recipientRawPublicKey, ReadOnlySpan<byte> plaintext)
    {
        using var ephemeral = ECDiffieHellman.Create(ECCurve.NamedCurves.nistP256);
        var ephemeralPublic = RawOf(ephemeral.ExportParameters(includePrivateParameters: false));
        using var recipient = ImportPublicDh(recipientRawPublicKey);
        var shared = ephemeral.DeriveRawSecretAgreement(recipient.PublicKey);
        var output = new byte[RawPublicKeyLength + plaintext.Length + EciesTagLength];
        ephemeralPublic.CopyTo(output, 0);
        var sealedPart = Gcm(forEncryption: true, shared, ephemeralPublic, plaintext);
        sealedPart.CopyTo(output, RawPublicKeyLength);
        CryptographicOperations.ZeroMemory(shared);
        return output;
    }

    /// <summary>Opens an ECIES blob (ephemeral point ‖ ciphertext ‖ tag) with a private identity scalar.</summary>
    public static byte[] EciesDecrypt(ReadOnlySpan<byte> recipientScalar, ReadOnlySpan<byte> recipientRawPublicKey, ReadOnlySpan<byte> blob)
    {
        if (blob.Length < RawPublicKeyLength + EciesTagLength)
            throw new XChatProtocolException(XChatRejection.DecryptionFailed, "The encrypted conversation key is too short.");
        var ephemeralPublic = blob[..RawPublicKeyLength].ToArray();
        using var ephemeral = ImportPublicDh(ephemeralPublic, XChatRejection.DecryptionFailed);
        using var recipient = ImportPrivateDh(recipientScalar, recipientRawPublicKey);
        var shared = recipient.DeriveRawSecretAgreement(ephemeral.PublicKey);
        try
        {
            return Gcm(forEncryption: false, shared, ephemeralPublic, blob[RawPublicKeyLength..]);
        }
        finally
        {
            CryptographicOperations.ZeroMemory(shared);
        }
    }

    /// <summary>XSalsa20-Poly1305 secretbox with a random nonce: nonce ‖ tag ‖ ciphertext.</summary>
    public static byte[] SecretBoxSeal(ReadOnlySpan<byte> key, ReadOnlySpan<byte> plaintext)
    {
        CheckConversationKey(key);
        var output = new byte[SecretBoxNonceLength + SecretBoxTagLength + plaintext.Length];
        RandomNumberGenerator.Fill(output.AsSpan(0, SecretBoxNonceLength));
        var (stream, polyKey) = SecretBoxStream(key, output.AsSpan(0, SecretBoxNonceLength));
        var ciphertext = output.AsSpan(SecretBoxNonceLength + SecretBoxTagLength);
        stream.ProcessBytes(plaintext, ciphertext);
        Poly1305Tag(polyKey, ciphertext, output.AsSpan(SecretBoxNonceLength, SecretBoxTagLength));
        CryptographicOperations.ZeroMemory(polyKey);
        return output;
    }

    /// <summary>Opens a secretbox (nonce ‖ tag ‖ ciphertext); the tag is checked before anything is decrypted.</summary>
    public static byte[] SecretBoxOpen(ReadOnlySpan<byte> key, ReadOnlySpan<byte> sealedBox)
    {
        CheckConversationKey(key);
        if (sealedBox.Length < SecretBoxNonceLength + SecretBoxTagLength)
            throw new XChatProtocolException(XChatRejection.DecryptionFailed, "The message contents are too short.");
        var (stream, polyKey) = SecretBoxStream(key, sealedBox[..SecretBoxNonceLength]);
        var ciphertext = sealedBox[(SecretBoxNonceLength + SecretBoxTagLength)..];
        Span<byte> expected = stackalloc byte[SecretBoxTagLength];
        Poly1305Tag(polyKey, ciphertext, expected);
        CryptographicOperations.ZeroMemory(polyKey);
        if (!CryptographicOperations.FixedTimeEquals(expected, sealedBox.Slice(SecretBoxNonceLength, SecretBoxTagLength)))
            throw new XChatProtocolException(XChatRejection.DecryptionFailed, "The message contents do not authenticate.");
        var plaintext = new byte[ciphertext.Length];
        stream.ProcessBytes(ciphertext, plaintext);
        return plaintext;
    }

    /// <summary>The 65-byte point of a served key, raw (65 bytes, 0x04 prefix) or SPKI (P-256 only).</summary>
    public static byte[] RawPublicKeyFromServed(ReadOnlySpan<byte> served)
    {
        if (served.Length == RawPublicKeyLength)
        {
            using var raw = ImportPublic(served);
            return served.ToArray();
        }
        try
        {
            using var key = ECDsa.Create();
            key.ImportSubjectPublicKeyInfo(served, out var read);
            var parameters = key.ExportParameters(includePrivateParameters: false);
            if (read != served.Length || parameters.Curve.Oid?.Value != ECCurve.NamedCurves.nistP256.Oid.Value)
                throw new XChatProtocolException(XChatRejection.InvalidKey, "The public key is not a P-256 key.");
            return RawOf(parameters);
        }
        catch (CryptographicException exception)
        {
            throw new XChatProtocolException(XChatRejection.InvalidKey, "The public key is neither a raw P-256 point nor SPKI.", exception);
        }
    }

    /// <summary>SPKI/DER (91 bytes) of a 65-byte point.</summary>
    public static byte[] SpkiOf(ReadOnlySpan<byte> rawPublicKey)
    {
        using var key = ImportPublic(rawPublicKey);
        return key.ExportSubjectPublicKeyInfo();
    }

    private static ECDsa ImportPublic(ReadOnlySpan<byte> raw, XChatRejection reason = XChatRejection.InvalidKey)
    {
        if (raw.Length != RawPublicKeyLength || raw[0] != 0x04)
            throw new XChatProtocolException(reason, "The public key is not an uncompressed P-256 point.");
        try
        {
            return ECDsa.Create(new ECParameters
            {
                Curve = ECCurve.NamedCurves.nistP256,
                Q = new ECPoint { X = raw[1..33].ToArray(), Y = raw[33..].ToArray() },
            });
        }
        catch (CryptographicException exception)
        {
            throw new XChatProtocolException(reason, "The public key is not a point on P-256.", exception);
        }
    }

    private static ECDiffieHellman ImportPublicDh(ReadOnlySpan<byte> raw, XChatRejection reason = XChatRejection.InvalidKey)
    {
        if (raw.Length != RawPublicKeyLength || raw[0] != 0x04)
            throw new XChatProtocolException(reason, "The public key is not an uncompressed P-256 point.");
        try
        {
            return ECDiffieHellman.Create(new ECParameters
            {
                Curve = ECCurve.NamedCurves.nistP256,
                Q = new ECPoint { X = raw[1..33].ToArray(), Y = raw[33..].ToArray() },
            });
        }
        catch (CryptographicException exception)
        {
            throw new XChatProtocolException(reason, "The public key is not a point on P-256.", exception);
        }
    }

    private static ECDiffieHellman ImportPrivateDh(ReadOnlySpan<byte> scalar, ReadOnlySpan<byte> rawPublicKey)
    {
        var d = scalar.ToArray();
        try
        {
            return ECDiffieHellman.Create(PrivateParameters(d, rawPublicKey));
        }
        finally
        {
            CryptographicOperations.ZeroMemory(d);
        }
    }

    private static ECParameters PrivateParameters(byte[] d, ReadOnlySpan<byte> rawPublicKey)
    {
        if (d.Length != ScalarLength || rawPublicKey.Length != RawPublicKeyLength)
            throw new XChatProtocolException(XChatRejection.InvalidKey, "A private key must be 32 bytes with its 65-byte point.");
        return new ECParameters
        {
            Curve = ECCurve.NamedCurves.nistP256,
            D = d,
            Q = new ECPoint { X = rawPublicKey[1..33].ToArray(), Y = rawPublicKey[33..].ToArray() },
        };
    }

    private static byte[] RawOf(ECParameters parameters)
    {
        var raw = new byte[RawPublicKeyLength];
        raw[0] = 0x04;
        parameters.Q.X!.CopyTo(raw, 1);
        parameters.Q.Y!.CopyTo(raw, 33);
        return raw;
    }

    private static BigInteger ScalarOf(ReadOnlySpan<byte> scalar)
    {
        if (scalar.Length != ScalarLength)
            throw new XChatProtocolException(XChatRejection.InvalidKey, "A private key must be 32 bytes.");
        var d = new BigInteger(1, scalar.ToArray());
        if (d.SignValue <= 0 || d.CompareTo(Domain.N) >= 0)
            throw new XChatProtocolException(XChatRejection.InvalidKey, "A private key is out of P-256's range.");
        return d;
    }

    // X9.63 KDF (SHA-256, counter from 1, shared info = the ephemeral point) → AES-128 key ‖ 16-byte IV, then
    // AES-128-GCM with that IV and no AAD. BouncyCastle's GCM because .NET's AesGcm accepts only 12-byte nonces.
    private static byte[] Gcm(bool forEncryption, byte[] shared, byte[] ephemeralPublic, ReadOnlySpan<byte> input)
    {
        var kdfInput = new byte[shared.Length + 4 + ephemeralPublic.Length];
        shared.CopyTo(kdfInput, 0);
        kdfInput[shared.Length + 3] = 1;
        ephemeralPublic.CopyTo(kdfInput, shared.Length + 4);
        var derived = SHA256.HashData(kdfInput);
        CryptographicOperations.ZeroMemory(kdfInput);
        try
        {
            var gcm = new GcmBlockCipher(new AesEngine());
            gcm.Init(forEncryption, new AeadParameters(new KeyParameter(derived, 0, 16), EciesTagLength * 8, derived[16..32]));
            var output = new byte[gcm.GetOutputSize(input.Length)];
            var written = gcm.ProcessBytes(input, output);
            written += gcm.DoFinal(output.AsSpan(written));
            return written == output.Length ? output : output[..written];
        }
        catch (Org.BouncyCastle.Crypto.InvalidCipherTextException exception)
        {
            throw new XChatProtocolException(XChatRejection.DecryptionFailed, "The encrypted conversation key does not authenticate.", exception);
        }
        finally
        {
            CryptographicOperations.ZeroMemory(derived);
        }
    }

    private static (XSalsa20Engine Stream, byte[] PolyKey) SecretBoxStream(ReadOnlySpan<byte> key, ReadOnlySpan<byte> nonce)
    {
        var stream = new XSalsa20Engine();
        stream.Init(true, new ParametersWithIV(new KeyParameter(key), nonce.ToArray()));
        // The first 32 bytes of the keystream are the one-time Poly1305 key; the message starts at byte 32.
        var polyKey = new byte[32];
        stream.ProcessBytes(new byte[32], polyKey);
        return (stream, polyKey);
    }

    private static void Poly1305Tag(byte[] polyKey, ReadOnlySpan<byte> ciphertext, Span<byte> tag)
    {
        var mac = new Poly1305();
        mac.Init(new KeyParameter(polyKey));
        mac.BlockUpdate(ciphertext);
        mac.DoFinal(tag);
    }

    private static void CheckConversationKey(ReadOnlySpan<byte> key)
    {
        if (key.Length != ConversationKeyLength)
            throw new XChatProtocolException(XChatRejection.InvalidKey, "A conversation key must be 32 bytes.");
    }
}
