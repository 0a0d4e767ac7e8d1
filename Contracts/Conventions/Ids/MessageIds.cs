using System.Security.Cryptography;
using System.Text;

namespace TwitterBot.Conventions.Ids;

/// <summary>
/// Deterministic message ids: the same X event for the same bot account always travels under the same
/// MessageId, however often X delivers it, so duplicates are recognisable downstream. The Processor derives
/// the ids of the events it publishes about a message the same way, from that message's id.
/// </summary>
public static class MessageIds
{
    /// <summary>The id of an event the Processor publishes about <paramref name="messageId"/> (e.g. "rejected").</summary>
    public static Guid Derived(Guid messageId, string what) => For(messageId.ToString("N"), what);

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
