using System.Globalization;

namespace TwitterBot.Processor.Text;

/// <summary>
/// Cuts text where a person sees a character end: at grapheme cluster boundaries (UAX #29, as .NET's
/// <see cref="StringInfo"/> follows it), so no cut splits a surrogate pair, an emoji ZWJ sequence, a flag or
/// a letter from its combining marks. Lengths are in UTF-16 units, as the limits they keep are counted.
/// </summary>
public static class Graphemes
{
    /// <summary>The longest start of <paramref name="text"/> made of whole clusters and at most <paramref name="maxLength"/> units long.</summary>
    public static string Cut(string text, int maxLength) => text.Length <= maxLength ? text : text[..LastBoundary(text, 0, maxLength)];

    /// <summary>
    /// The last cluster boundary in <paramref name="text"/> after <paramref name="start"/> and at most
    /// <paramref name="maxLength"/> units past it. When one cluster alone is longer than that (a letter under
    /// thousands of combining marks), the last code point boundary instead: a surrogate pair is never split.
    /// </summary>
    public static int LastBoundary(string text, int start, int maxLength)
    {
        var limit = Math.Min(text.Length, start + maxLength);
        var boundary = start;
        while (boundary < limit)
        {
            var next = boundary + StringInfo.GetNextTextElementLength(text.AsSpan(boundary));
            if (next > limit)
            {
                break;
            }

            boundary = next;
        }

        if (boundary > start || limit == start)
        {
            return boundary;
        }

        return limit < text.Length && char.IsLowSurrogate(text[limit]) && char.IsHighSurrogate(text[limit - 1]) && limit - 1 > start ? limit - 1 : limit;
    }

    /// <summary>The cluster boundaries from <paramref name="start"/> (included) up to <paramref name="end"/> (included when it is one).</summary>
    public static IEnumerable<int> Boundaries(string text, int start, int end)
    {
        for (var boundary = start; boundary <= end && boundary <= text.Length;)
        {
            yield return boundary;
            if (boundary == text.Length)
            {
                yield break;
            }

            boundary += StringInfo.GetNextTextElementLength(text.AsSpan(boundary));
        }
    }
}
