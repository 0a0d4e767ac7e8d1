using System.Security.Cryptography;
using System.Text;

namespace TwitterBot.Ingress.Webhooks;

/// <summary>
/// Deterministic message ids: the same X event for the same bot account always travels under the same
/// MessageId, however often X delivers it, so duplicates are recognisable downstream.
/// </summary>
public static class MessageIds
{
    public static Guid For(string botUserId, string eventId)
    {
        Span<byte> hash = stackalloc byte[SHA256.HashSizeInBytes];
        SHA256.HashData(Encoding.UTF8.GetBytes($"twitterbot:{botUserId}:{eventId}"), hash);
        var bytes = hash[..16];
        bytes[6] = (byte)((bytes[6] & 0x0F) | 0x80); // RFC 9562 version 8 (custom, name-based)
        bytes[8] = (byte)((bytes[8] & 0x3F) | 0x80); // RFC 9562 variant
        return new Guid(bytes, bigEndian: true);
    }
}
