using System.Buffers.Text;
using System.Security.Cryptography;
using System.Text;
using Microsoft.Extensions.Options;
using TwitterBot.Conventions.Accounts;

namespace TwitterBot.Conventions.Webhooks;

/// <summary>
/// X's webhook cryptography, keyed with the app's consumer secret: the CRC response token and the
/// <c>x-twitter-webhooks-signature</c> of every POST, both <c>sha256=base64(HMAC-SHA256(secret, data))</c>.
/// </summary>
public sealed class WebhookSigner
{
    public const string SignatureHeader = "x-twitter-webhooks-signature";
    private const string Prefix = "sha256=";
    private const int HashSize = HMACSHA256.HashSizeInBytes;

    private readonly byte[] _key;

    public WebhookSigner(IOptions<TwitterBotOptions> options)
        : this(options.Value.Auth.ConsumerSecret ?? throw new InvalidOperationException("TwitterBot:Auth:ConsumerSecret is required."))
    {
    }

    public WebhookSigner(string consumerSecret) => _key = Encoding.UTF8.GetBytes(consumerSecret);

    /// <summary>The <c>response_token</c> that answers a CRC challenge.</summary>
    public string CrcResponseToken(string crcToken) => Sign(Encoding.UTF8.GetBytes(crcToken));

    public string Sign(ReadOnlySpan<byte> data)
    {
        Span<byte> hash = stackalloc byte[HashSize];
        HMACSHA256.HashData(_key, data, hash);
        return Prefix + Convert.ToBase64String(hash);
    }

    /// <summary>True when <paramref name="signatureHeader"/> is a well-formed signature of exactly these bytes.</summary>
    public bool IsValid(ReadOnlySpan<byte> body, string? signatureHeader)
    {
        if (signatureHeader is null || !signatureHeader.StartsWith(Prefix, StringComparison.Ordinal))
        {
            return false;
        }

        var encoded = signatureHeader.AsSpan(Prefix.Length);
        Span<byte> received = stackalloc byte[HashSize + 3];
        if (Base64.GetMaxDecodedFromUtf8Length(encoded.Length) > received.Length
            || !Convert.TryFromBase64Chars(encoded, received, out var written)
            || written != HashSize)
        {
            return false;
        }

        Span<byte> expected = stackalloc byte[HashSize];
        HMACSHA256.HashData(_key, body, expected);
        return CryptographicOperations.FixedTimeEquals(expected, received[..HashSize]);
    }
}
