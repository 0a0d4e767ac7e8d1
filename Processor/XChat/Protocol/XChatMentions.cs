using System.Text;

namespace TwitterBot.Processor.XChat.Protocol;

/// <summary>
/// A span of a message's text, in Unicode code points (not UTF-16 units), <see cref="End"/> exclusive: how XChat's
/// <c>RichTextEntity</c> counts (<c>start_index</c>, <c>end_index</c>), as X's clients write it.
/// </summary>
public readonly record struct XChatTextSpan(int Start, int End);

/// <summary>A mention in a message: its span and the text it covers (<c>@handle</c>). X carries no user id with it.</summary>
public sealed record XChatMention(XChatTextSpan Span, string Text)
{
    /// <summary>Whether it names <paramref name="screenName"/> (with or without its <c>@</c>; X handles ignore case).</summary>
    public bool Names(string screenName) =>
        Text.Length > 1 && Text[0] == '@' && string.Equals(Text[1..], screenName.TrimStart('@'), StringComparison.OrdinalIgnoreCase);
}

/// <summary>Mentions in XChat text: found as X's clients mark them (to seal), read back from the entities (to open).</summary>
public static class XChatMentions
{
    /// <summary>Longest X handle.</summary>
    public const int MaxHandleLength = 15;

    /// <summary>
    /// The <c>@handle</c> spans of <paramref name="text"/> as X's clients mark them: <c>@</c> and 1–15 of
    /// <c>[A-Za-z0-9_]</c>, not preceded by one of those (an e-mail address is no mention).
    /// </summary>
    public static IReadOnlyList<XChatTextSpan> Find(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        var spans = new List<XChatTextSpan>();
        var codePoint = 0;
        for (var i = 0; i < text.Length; codePoint++, i += char.IsSurrogatePair(text, i) ? 2 : 1)
        {
            if (text[i] != '@' || (i > 0 && IsHandleChar(text[i - 1])))
                continue;
            var length = 0;
            while (i + 1 + length < text.Length && IsHandleChar(text[i + 1 + length]))
                length++;
            if (length is < 1 or > MaxHandleLength)
                continue;
            // Handle characters are ASCII: one code point each.
            spans.Add(new XChatTextSpan(codePoint, codePoint + 1 + length));
        }

        return spans;
    }

    /// <summary>The text a span covers, or null when the span is not inside <paramref name="text"/>.</summary>
    public static string? Slice(string text, XChatTextSpan span)
    {
        ArgumentNullException.ThrowIfNull(text);
        if (span.Start < 0 || span.End <= span.Start)
            return null;
        var start = Offset(text, span.Start);
        var end = start < 0 ? -1 : Offset(text, span.End);
        return end < 0 ? null : text[start..end];
    }

    /// <summary><paramref name="text"/> without the spans of <paramref name="mentions"/> (each with one space after it), trimmed.</summary>
    public static string Without(string text, IEnumerable<XChatMention> mentions)
    {
        ArgumentNullException.ThrowIfNull(text);
        var cut = new StringBuilder(text);
        foreach (var mention in mentions.OrderByDescending(m => m.Span.Start))
        {
            var start = Offset(text, mention.Span.Start);
            var end = Offset(text, mention.Span.End);
            if (start >= 0 && end > start)
                cut.Remove(start, end - start + (end < text.Length && text[end] == ' ' ? 1 : 0));
        }

        return cut.ToString().Trim();
    }

    /// <summary>The UTF-16 offset of code point <paramref name="codePoints"/>, or -1 past the end.</summary>
    private static int Offset(string text, int codePoints)
    {
        var i = 0;
        for (var n = 0; n < codePoints; n++)
        {
            if (i >= text.Length)
                return -1;
            i += char.IsSurrogatePair(text, i) ? 2 : 1;
        }

        return i <= text.Length ? i : -1;
    }

    private static bool IsHandleChar(char c) => char.IsAsciiLetterOrDigit(c) || c == '_';
}
