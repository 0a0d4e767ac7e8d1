using System.Text;

namespace TwitterBot.ServiceDefaults;

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
    public static string Normalize(string text, IEnumerable<(string? Url, string? ExpandedUrl)> urls, string? attachmentLink)
    {
        if (!string.IsNullOrEmpty(attachmentLink))
        {
            text = text.Replace(attachmentLink, string.Empty, StringComparison.Ordinal).TrimEnd();
        }

        foreach (var (url, expanded) in urls)
        {
            if (!string.IsNullOrEmpty(url) && !string.IsNullOrEmpty(expanded))
            {
                text = text.Replace(url, expanded, StringComparison.Ordinal);
            }
        }

        return Unescape(text);
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
