using System.Security.Cryptography;
using System.Text;

namespace TwitterBot.Processor.Conversations.Saga;

/// <summary>
/// The conversation saga's correlation id: a name-based UUID of the conversation's key under a namespace of
/// our own, so every replica, and every restart, finds the same saga for the same bot account × X user. Later
/// an XChat conversation id is one more key.
/// </summary>
public static class ConversationIds
{
    private static readonly Guid Namespace = new("6f1d3c5e-2b4a-4e8f-9a7d-0c5b8e2f1a93");

    public static Guid For(string conversationKey)
    {
        var name = Encoding.UTF8.GetBytes(conversationKey);
        var input = new byte[16 + name.Length];
        Namespace.TryWriteBytes(input, bigEndian: true, out _);
        name.CopyTo(input, 16);
        Span<byte> hash = stackalloc byte[SHA256.HashSizeInBytes];
        SHA256.HashData(input, hash);
        var bytes = hash[..16];
        bytes[6] = (byte)((bytes[6] & 0x0F) | 0x80); // RFC 9562 version 8 (custom, name-based), as MessageIds
        bytes[8] = (byte)((bytes[8] & 0x3F) | 0x80); // RFC 9562 variant
        return new Guid(bytes, bigEndian: true);
    }
}
