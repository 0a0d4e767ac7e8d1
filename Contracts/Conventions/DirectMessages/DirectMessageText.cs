using System.Text;

namespace TwitterBot.Conventions.DirectMessages;

/// <summary>
/// Turns X's stored DM text into what its author wrote: the Ingress reads users' DMs with it, the Processor
/// recognises the bot's own DMs in X's list with it.
/// </summary>
public static class DirectMessageText
{
    /// <summary>
    /// Drops the t.co link X appends for an attachment, replaces t.co links by the URLs they stand for, and
    /// unescapes the three entities X escapes (<c>&amp;amp;</c>, <c>&amp;lt;</c>, <c>&amp;gt;</c>) in one pass, so
    /// that an escaped entity the person typed (<c>&amp;amp;lt;</c>) stays as typed (<c>&amp;lt;</c>).
    /// </summary>
    /// <remarks>
    /// X lists one URL entity per link in the text, in order (a link typed twice is two entities), so each
    /// entity replaces one occurrence, after the previous one's: the text grows by at most the sum of the
    /// expansions. Replacing every occurrence would let a short link repeated throughout a body multiply a
    /// long expansion into gigabytes.
    /// </remarks>
    public static string Normalize(string text, IEnumerable<(string? Url, string? ExpandedUrl)> urls, string? attachmentLink)
    {
        if (!string.IsNullOrEmpty(attachmentLink))
        {
            text = text.Replace(attachmentLink, string.Empty, StringComparison.Ordinal).TrimEnd();
        }

        text = Expand(text, urls);
        return Unescape(text);
    }

    /// <summary>One pass over the text: X lists the entities in the order of their links.</summary>
    private static string Expand(string text, IEnumerable<(string? Url, string? ExpandedUrl)> urls)
    {
        var result = new StringBuilder(text.Length);
        var copied = 0;
        foreach (var (url, expanded) in urls)
        {
            if (string.IsNullOrEmpty(url) || string.IsNullOrEmpty(expanded))
            {
                continue;
            }

            var at = text.IndexOf(url, copied, StringComparison.Ordinal);
            if (at >= 0)
            {
                result.Append(text, copied, at - copied).Append(expanded);
                copied = at + url.Length;
            }
        }

        return result.Append(text, copied, text.Length - copied).ToString();
    }

    private static string Unescape(string text)
    {
        if (!text.Contains('&', StringComparison.Ordinal))
        {
            return text;
        }

        var result = new StringBuilder(text.Length);
        for (var i = 0; i < text.Length; i++)
        {
            var rest = text.AsSpan(i);
            if (rest.StartsWith("&amp;", StringComparison.Ordinal)) { result.Append('&'); i += 4; }
            else if (rest.StartsWith("&lt;", StringComparison.Ordinal)) { result.Append('<'); i += 3; }
            else if (rest.StartsWith("&gt;", StringComparison.Ordinal)) { result.Append('>'); i += 3; }
            else { result.Append(text[i]); }
        }

        return result.ToString();
    }
}
