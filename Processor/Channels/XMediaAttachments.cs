using TwitterBot.Processor.Clients.X;
using TwitterBot.Processor.Replies;

namespace TwitterBot.Processor.Channels;

/// <summary>
/// A reply's media for X's DMs (v1.1 and v2 alike): fetched, uploaded to X, attached by its media id; when that
/// fails the link goes with the text, and an address that is neither fetched nor shown is dropped.
/// </summary>
public sealed partial class XMediaAttachments(MediaDownloadClient downloads, XMediaUploadClient uploads, ILogger<XMediaAttachments> logger)
{
    public async Task<OutgoingReply> AttachAsync(XUserToken bot, PlannedReply reply, string eventId, CancellationToken cancellationToken)
    {
        if (reply.MediaUrl is not { } url)
        {
            return new OutgoingReply(reply, reply.Text, null);
        }

        try
        {
            var download = await downloads.DownloadAsync(url, cancellationToken);
            if (download.Media is { } media)
            {
                return new OutgoingReply(reply, reply.Text, await uploads.UploadAsync(bot, media, cancellationToken));
            }

            if (!download.ShowLink)
            {
                // A file:, data: or relative address is neither fetched nor shown to the user.
                LogMediaRefused(eventId, download.Refusal);
                return new OutgoingReply(reply, reply.Text, null);
            }

            LogMediaNotAttachable(eventId, url, download.Refusal);
        }
        catch (Exception failure) when (failure is HttpRequestException or XApiException or XOutcomeUnknownException or MediaUploadException
                                        || (failure is TaskCanceledException && !cancellationToken.IsCancellationRequested))
        {
            LogMediaUploadFailed(eventId, url, failure.Message);
        }

        return new OutgoingReply(reply, reply.TextWithLink, null);
    }

    [LoggerMessage(LogLevel.Information, "Event {EventId}: {Url} is not attached ({Reason}); its link is sent instead.")]
    private partial void LogMediaNotAttachable(string eventId, string url, string? reason);

    [LoggerMessage(LogLevel.Warning, "Event {EventId}: the gateway attached media at an address that is neither fetched nor shown ({Reason}); the text is sent alone.")]
    private partial void LogMediaRefused(string eventId, string? reason);

    [LoggerMessage(LogLevel.Warning, "Event {EventId}: uploading {Url} to X failed ({Reason}); its link is sent instead.")]
    private partial void LogMediaUploadFailed(string eventId, string url, string reason);
}
