using System.Globalization;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text.Json.Serialization;

namespace TwitterBot.Processor.Clients.X;

/// <summary>
/// X's chunked media upload (<c>media/upload.json</c>: INIT, APPEND, FINALIZE, then STATUS until processed),
/// as a bot account, for media attached to a DM (<c>dm_image</c>, <c>dm_gif</c>, <c>dm_video</c>).
/// </summary>
public sealed class XMediaUploadClient(HttpClient http, TimeProvider time)
{
    public const string UploadPath = "media/upload.json";

    /// <summary>X takes segments of up to 5 MB.</summary>
    public const int SegmentBytes = 4 * 1024 * 1024;

    /// <summary>How long X may take to process a video before the upload counts as failed.</summary>
    public static readonly TimeSpan MaxProcessing = TimeSpan.FromMinutes(2);

    /// <returns>The media id to attach to one DM.</returns>
    /// <exception cref="XApiException">X refused a step.</exception>
    /// <exception cref="MediaUploadException">X could not process the media.</exception>
    public async Task<string> UploadAsync(XUserToken bot, DownloadedMedia media, CancellationToken cancellationToken)
    {
        var init = await PostFormAsync(bot, cancellationToken,
            ("command", "INIT"),
            ("total_bytes", media.Bytes.Length.ToString(CultureInfo.InvariantCulture)),
            ("media_type", media.ContentType),
            ("media_category", media.Category));
        var mediaId = init.MediaIdString ?? throw new MediaUploadException("X's INIT answer has no media_id_string.");

        for (var (offset, segment) = (0, 0); offset < media.Bytes.Length; offset += SegmentBytes, segment++)
        {
            using var form = new MultipartFormDataContent
            {
                { new StringContent("APPEND"), "command" },
                { new StringContent(mediaId), "media_id" },
                { new StringContent(segment.ToString(CultureInfo.InvariantCulture)), "segment_index" },
                { new ByteArrayContent(media.Bytes, offset, Math.Min(SegmentBytes, media.Bytes.Length - offset)), "media", "media" },
            };
            using var append = new HttpRequestMessage(HttpMethod.Post, UploadPath) { Content = form };
            (await SendAsync(append, bot, cancellationToken)).Dispose();
        }

        var processing = (await PostFormAsync(bot, cancellationToken, ("command", "FINALIZE"), ("media_id", mediaId))).ProcessingInfo;
        var deadline = time.GetUtcNow() + MaxProcessing;
        while (processing is { State: "pending" or "in_progress" })
        {
            if (time.GetUtcNow() > deadline)
            {
                throw new MediaUploadException($"X was still processing media {mediaId} after {MaxProcessing}.");
            }

            await Task.Delay(TimeSpan.FromSeconds(Math.Clamp(processing.CheckAfterSecs ?? 1, 1, 10)), time, cancellationToken);
            using var status = new HttpRequestMessage(HttpMethod.Get, $"{UploadPath}?command=STATUS&media_id={Uri.EscapeDataString(mediaId)}");
            using var response = await SendAsync(status, bot, cancellationToken);
            processing = (await response.Content.ReadFromJsonAsync(XMediaJsonContext.Default.MediaUploadResponse, cancellationToken))?.ProcessingInfo;
        }

        return processing is { State: "failed" }
            ? throw new MediaUploadException($"X could not process media {mediaId}: {processing.Error?.Message ?? "no reason given"}.")
            : mediaId;
    }

    private async Task<MediaUploadResponse> PostFormAsync(XUserToken bot, CancellationToken cancellationToken, params (string Name, string Value)[] fields)
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, UploadPath)
        {
            Content = new FormUrlEncodedContent(fields.Select(f => KeyValuePair.Create(f.Name, f.Value))),
        };
        using var response = await SendAsync(request, bot, cancellationToken);
        return await response.Content.ReadFromJsonAsync(XMediaJsonContext.Default.MediaUploadResponse, cancellationToken)
            ?? new MediaUploadResponse(null, null);
    }

    private async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, XUserToken bot, CancellationToken cancellationToken)
    {
        request.Options.Set(XUserToken.OptionKey, bot);
        var response = await http.SendAsync(request, cancellationToken);
        if (!response.IsSuccessStatusCode)
        {
            using (response)
            {
                throw await XApiException.FromResponseAsync(response, cancellationToken);
            }
        }

        return response;
    }
}

/// <summary>A media file fetched for upload, with X's category for it.</summary>
public sealed record DownloadedMedia(byte[] Bytes, string ContentType, string Category);

/// <summary>X accepted the upload but could not process the media.</summary>
public sealed class MediaUploadException(string message) : Exception(message);

public sealed record MediaUploadResponse(string? MediaIdString, ProcessingInfo? ProcessingInfo);

public sealed record ProcessingInfo(string? State, int? CheckAfterSecs, ProcessingError? Error);

public sealed record ProcessingError(int? Code, string? Message);

[JsonSourceGenerationOptions(PropertyNamingPolicy = JsonKnownNamingPolicy.SnakeCaseLower)]
[JsonSerializable(typeof(MediaUploadResponse))]
public sealed partial class XMediaJsonContext : JsonSerializerContext;
