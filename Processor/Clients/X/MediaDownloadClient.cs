using System.Net;
using Microsoft.Extensions.Options;
using TwitterBot.Processor.Options;

namespace TwitterBot.Processor.Clients.X;

/// <summary>
/// Fetches the media a bot attaches, within X's size limits, and names its X category. Only absolute http(s)
/// URLs are fetched (<see cref="MediaUrls"/>), redirects too, at most <see cref="MaxRedirects"/> of them; the
/// whole download (redirects, headers and body) has <c>Processor:Replies:MediaDownloadTimeout</c>, and the
/// body is read only up to <see cref="MaxBytes"/> + 1 whatever its Content-Length says. Never throws for
/// what the server does: every refusal is an answer, so the reply goes out with its link or text instead.
/// </summary>
public sealed class MediaDownloadClient(HttpClient http, IOptions<ProcessorOptions> options)
{
    /// <summary>X's limit for DM images and GIFs (videos may be larger, but are held in memory here).</summary>
    public const long MaxBytes = 15 * 1024 * 1024;

    public const int MaxRedirects = 3;

    /// <summary>The handler for this client: redirects are followed here, each one checked like the URL itself.</summary>
    public static SocketsHttpHandler CreateHandler() => new() { AllowAutoRedirect = false, AutomaticDecompression = DecompressionMethods.None };

    public async Task<MediaDownload> DownloadAsync(string url, CancellationToken cancellationToken)
    {
        if (!MediaUrls.TryParse(url, out var uri))
        {
            return MediaDownload.Refused("its address is not an absolute http(s) URL", showLink: false);
        }

        // A network deadline, on the wall clock like HttpClient's own timeouts (not the turn's TimeProvider).
        var timeout = options.Value.Replies.MediaDownloadTimeout;
        using var deadline = new CancellationTokenSource(timeout);
        using var download = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, deadline.Token);
        try
        {
            for (var redirects = 0; ; redirects++)
            {
                using var response = await http.GetAsync(uri, HttpCompletionOption.ResponseHeadersRead, download.Token);
                if (IsRedirect(response.StatusCode))
                {
                    if (redirects == MaxRedirects)
                    {
                        return MediaDownload.Refused($"it was redirected more than {MaxRedirects} times", showLink: true);
                    }

                    if (!MediaUrls.TryResolve(uri, response.Headers.Location, out uri))
                    {
                        return MediaDownload.Refused("it was redirected to an address that is not an absolute http(s) URL", showLink: true);
                    }

                    continue;
                }

                if (!response.IsSuccessStatusCode)
                {
                    return MediaDownload.Refused($"its server answered {(int)response.StatusCode}", showLink: true);
                }

                var contentType = response.Content.Headers.ContentType?.MediaType ?? "application/octet-stream";
                var category = contentType switch
                {
                    "image/gif" => "dm_gif",
                    "image/jpeg" or "image/png" or "image/webp" => "dm_image",
                    "video/mp4" => "dm_video",
                    _ => null,
                };
                if (category is null)
                {
                    return MediaDownload.Refused($"it is {contentType}, which X does not take in a DM", showLink: true);
                }

                if (response.Content.Headers.ContentLength > MaxBytes || await ReadAtMostAsync(response.Content, MaxBytes, download.Token) is not { } bytes)
                {
                    return MediaDownload.Refused($"it is larger than {MaxBytes / (1024 * 1024)} MB", showLink: true);
                }

                return new MediaDownload(new DownloadedMedia(bytes, contentType, category), null, ShowLink: true);
            }
        }
        catch (OperationCanceledException) when (deadline.IsCancellationRequested && !cancellationToken.IsCancellationRequested)
        {
            return MediaDownload.Refused($"it was not downloaded within {timeout}", showLink: true);
        }
        catch (Exception failure) when (failure is HttpRequestException or IOException)
        {
            return MediaDownload.Refused($"its download failed: {failure.Message}", showLink: true);
        }
    }

    private static bool IsRedirect(HttpStatusCode status) => status is HttpStatusCode.MovedPermanently or HttpStatusCode.Found
        or HttpStatusCode.SeeOther or HttpStatusCode.TemporaryRedirect or HttpStatusCode.PermanentRedirect;

    /// <summary>The body, or null as soon as it has more than <paramref name="maxBytes"/> (a Content-Length may be missing or wrong).</summary>
    private static async Task<byte[]?> ReadAtMostAsync(HttpContent content, long maxBytes, CancellationToken cancellationToken)
    {
        await using var body = await content.ReadAsStreamAsync(cancellationToken);
        using var buffer = new MemoryStream();
        var chunk = new byte[81920];
        while (buffer.Length <= maxBytes)
        {
            var read = await body.ReadAsync(chunk.AsMemory(0, (int)Math.Min(chunk.Length, maxBytes + 1 - buffer.Length)), cancellationToken);
            if (read == 0)
            {
                return buffer.ToArray();
            }

            buffer.Write(chunk, 0, read);
        }

        return null;
    }
}

/// <summary>A download's outcome: the media, or why it was refused and whether its link may be shown instead.</summary>
/// <param name="ShowLink">False for an address that must not be shown to the user (<c>file:</c>, <c>data:</c>, relative).</param>
public sealed record MediaDownload(DownloadedMedia? Media, string? Refusal, bool ShowLink)
{
    public static MediaDownload Refused(string reason, bool showLink) => new(null, reason, showLink);
}
