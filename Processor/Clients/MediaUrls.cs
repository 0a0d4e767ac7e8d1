namespace TwitterBot.Processor.Clients;

/// <summary>
/// Which media addresses from the gateway the Processor fetches: absolute <c>http</c>/<c>https</c> URLs with a
/// host and no user-info. Never <c>file:</c>, <c>data:</c> or other schemes, relative or scheme-relative
/// (<c>//host/…</c>) addresses, which .NET would otherwise read as local files on Linux.
/// </summary>
public static class MediaUrls
{
    public static bool IsFetchable(string? url) => TryParse(url, out _);

    public static bool TryParse(string? url, out Uri uri)
    {
        uri = null!;
        if (url is null
            || !(url.StartsWith("https://", StringComparison.OrdinalIgnoreCase) || url.StartsWith("http://", StringComparison.OrdinalIgnoreCase))
            || !Uri.TryCreate(url, UriKind.Absolute, out var parsed))
        {
            return false;
        }

        if (parsed.Scheme is not ("http" or "https") || parsed.Host.Length == 0 || parsed.UserInfo.Length > 0)
        {
            return false;
        }

        uri = parsed;
        return true;
    }

    /// <summary>The same rules for a redirect's <c>Location</c>, which may be relative to the URL that answered.</summary>
    public static bool TryResolve(Uri from, Uri? location, out Uri uri)
    {
        uri = null!;
        var text = location?.OriginalString;
        if (string.IsNullOrEmpty(text) || text.StartsWith("//", StringComparison.Ordinal))
        {
            return false;
        }

        // On Linux a path such as "/b.png" parses as an absolute file: URI; in a Location it is relative.
        var absolute = !text.StartsWith('/') && Uri.TryCreate(text, UriKind.Absolute, out _);
        return TryParse(absolute ? text : new Uri(from, text).AbsoluteUri, out uri);
    }
}
