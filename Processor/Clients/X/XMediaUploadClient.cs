using System.Globalization;
using System.Text.Json.Serialization;
using Refit;

namespace TwitterBot.Processor.Clients.X;

/// <summary>
/// X's chunked media upload (INIT, APPEND, FINALIZE, then STATUS until processed) through <see cref="IXMediaUploadApi"/>,
/// as a bot account, for media attached to a DM (<c>dm_image</c>, <c>dm_gif</c>, <c>dm_video</c>).
/// </summary>
public sealed class XMediaUploadClient(IXMediaUploadApi api, TimeProvider time)
{
    /// <summary>X takes segments of up to 5 MB.</summary>
    public const int SegmentBytes = 4 * 1024 * 1024;

    /// <summary>How long X may take to process a video before the upload counts as failed.</summary>
    public static readonly TimeSpan MaxProcessing = TimeSpan.FromMinutes(2);

    /// <returns>The media id to attach to one DM.</returns>
    /// <exception cref="XApiException">X refused a step.</exception>
    /// <exception cref="MediaUploadException">X could not process the media.</exception>
    public async Task<string> UploadAsync(XUserToken bot, DownloadedMedia media, CancellationToken cancellationToken)
    {
        var init = await XResponses.AcceptedAsync("media INIT",
            () => api.InitAsync(new MediaInitForm(media.Bytes.Length, media.ContentType, media.Category), bot, cancellationToken), null, cancellationToken);
        var mediaId = init?.MediaIdString ?? throw new MediaUploadException("X's INIT answer has no media_id_string.");

        for (var (offset, segment) = (0, 0); offset < media.Bytes.Length; offset += SegmentBytes, segment++)
        {
            var part = new ByteArrayPart(media.Bytes[offset..Math.Min(offset + SegmentBytes, media.Bytes.Length)], "media");
            var index = segment.ToString(CultureInfo.InvariantCulture);
            await XResponses.EnsureAsync("media APPEND", () => api.AppendAsync("APPEND", mediaId, index, part, bot, cancellationToken), null, cancellationToken);
        }

        var processing = (await XResponses.AcceptedAsync("media FINALIZE",
            () => api.FinalizeAsync(new MediaCommandForm("FINALIZE", mediaId), bot, cancellationToken), null, cancellationToken))?.ProcessingInfo;
        var deadline = time.GetUtcNow() + MaxProcessing;
        while (processing is { State: "pending" or "in_progress" })
        {
            if (time.GetUtcNow() > deadline)
            {
                throw new MediaUploadException($"X was still processing media {mediaId} after {MaxProcessing}.");
            }

            await Task.Delay(TimeSpan.FromSeconds(Math.Clamp(processing.CheckAfterSecs ?? 1, 1, 10)), time, cancellationToken);
            processing = (await XResponses.AcceptedAsync("media STATUS", () => api.StatusAsync(mediaId, bot, cancellationToken), null, cancellationToken))?.ProcessingInfo;
        }

        return processing is { State: "failed" }
            ? throw new MediaUploadException($"X could not process media {mediaId}: {processing.Error?.Message ?? "no reason given"}.")
            : mediaId;
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
