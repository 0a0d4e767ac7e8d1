using System.Security.Cryptography;
using TwitterBot.Processor.XChat.Protocol.Crypto;

namespace TwitterBot.Processor.XChat.Protocol;

/// <summary>
/// A P-256 public key as X served it (<see cref="Served"/>: raw 65-byte point in X's vectors, SPKI/DER in
/// production) with both encodings derived. Signatures that cover a key cover <see cref="Served"/>.
/// </summary>
public sealed class XChatPublicKey
{
    private readonly byte[] served;
    private readonly byte[] raw;
    private readonly byte[] spki;

    private XChatPublicKey(byte[] served, byte[] raw)
    {
        this.served = served;
        this.raw = raw;
        spki = XChatCrypto.SpkiOf(raw);
    }

    /// <summary>The bytes exactly as served (raw or SPKI).</summary>
    public ReadOnlySpan<byte> Served => served;

    /// <summary>The 65-byte uncompressed point (0x04 ‖ x ‖ y).</summary>
    public ReadOnlySpan<byte> Raw => raw;

    /// <summary>The 91-byte SPKI/DER form X registers.</summary>
    public ReadOnlySpan<byte> Spki => spki;

    public string ServedBase64 => XChatBase64.Padded(served);

    public string RawBase64 => XChatBase64.Padded(raw);

    public string SpkiBase64 => XChatBase64.Padded(spki);

    /// <summary>Parses a served key (base64 of raw or SPKI); <see cref="XChatRejection.InvalidKey"/> otherwise.</summary>
    public static XChatPublicKey Parse(string base64) =>
        FromBytes(XChatBase64.Decode(base64, 256, XChatRejection.InvalidKey, "public key"));

    /// <summary>A key from its bytes as served (raw or SPKI).</summary>
    public static XChatPublicKey FromBytes(ReadOnlySpan<byte> served) =>
        new(served.ToArray(), XChatCrypto.RawPublicKeyFromServed(served));

    /// <summary>Whether both name the same point, whatever their encodings.</summary>
    public bool SamePointAs(XChatPublicKey other)
    {
        ArgumentNullException.ThrowIfNull(other);
        return CryptographicOperations.FixedTimeEquals(raw, other.raw);
    }

    /// <summary>Verifies a raw r‖s ECDSA P-256 SHA-256 signature over <paramref name="data"/> with this key.</summary>
    public bool Verify(ReadOnlySpan<byte> signature, ReadOnlySpan<byte> data) => XChatCrypto.Verify(raw, signature, data);

    public override string ToString() => $"XChatPublicKey({SpkiBase64})";
}
