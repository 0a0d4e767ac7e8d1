namespace TwitterBot.Processor.XChat.Protocol;

/// <summary>
/// The protocol's two base64 flavours (CRYPTO.md "Base64 Conventions"): standard alphabet, padded for Thrift blobs,
/// unpadded inside signed payloads and for signatures. Decoding is strict (no whitespace, no URL alphabet) and
/// accepts either padding.
/// </summary>
internal static class XChatBase64
{
    public static string Padded(ReadOnlySpan<byte> bytes) => Convert.ToBase64String(bytes);

    public static string Unpadded(ReadOnlySpan<byte> bytes) => Convert.ToBase64String(bytes).TrimEnd('=');

    /// <summary>Decodes, or throws <see cref="XChatProtocolException"/> with <paramref name="reason"/>.</summary>
    public static byte[] Decode(string? text, int maxBytes, XChatRejection reason = XChatRejection.Malformed, string what = "value")
    {
        if (TryDecode(text, maxBytes, out var bytes))
            return bytes;
        throw new XChatProtocolException(reason, $"The {what} is not strict base64 of an accepted length.");
    }

    public static bool TryDecode(string? text, int maxBytes, out byte[] bytes)
    {
        bytes = [];
        if (string.IsNullOrEmpty(text) || text.Length > (maxBytes + 2) / 3 * 4)
            return false;
        var padding = 0;
        for (var i = 0; i < text.Length; i++)
        {
            var c = text[i];
            if (c == '=')
            {
                padding++;
                continue;
            }
            if (padding > 0 || !(c is >= 'A' and <= 'Z' or >= 'a' and <= 'z' or >= '0' and <= '9' or '+' or '/'))
                return false;
        }
        var body = text.Length - padding;
        if (padding > 2 || body % 4 == 1 || (padding > 0 && text.Length % 4 != 0))
            return false;
        var padded = body % 4 == 0 ? text[..body] : text[..body] + new string('=', 4 - (body % 4));
        var buffer = new byte[padded.Length / 4 * 3];
        if (!Convert.TryFromBase64String(padded, buffer, out var written) || written > maxBytes)
            return false;
        bytes = written == buffer.Length ? buffer : buffer[..written];
        return true;
    }
}
