using Refit;

namespace TwitterBot.Processor.Clients.X;

/// <summary>
/// X's chunked media upload, <c>media/upload.json</c> relative to <c>TwitterBot:Api:UploadUrl</c>, as a bot
/// account. INIT and FINALIZE are form posts (signed with their fields), APPEND a multipart post (signed without).
/// </summary>
public interface IXMediaUploadApi
{
    [Post("/media/upload.json")]
    Task<IApiResponse<MediaUploadResponse>> InitAsync(
        [Body(BodySerializationMethod.UrlEncoded)] MediaInitForm form, [Property(XUserToken.PropertyKey)] XUserToken bot, CancellationToken cancellationToken);

    [Multipart]
    [Post("/media/upload.json")]
    Task<IApiResponse> AppendAsync(
        [AliasAs("command")] string command,
        [AliasAs("media_id")] string mediaId,
        [AliasAs("segment_index")] string segmentIndex,
        [AliasAs("media")] ByteArrayPart media,
        [Property(XUserToken.PropertyKey)] XUserToken bot,
        CancellationToken cancellationToken);

    [Post("/media/upload.json")]
    Task<IApiResponse<MediaUploadResponse>> FinalizeAsync(
        [Body(BodySerializationMethod.UrlEncoded)] MediaCommandForm form, [Property(XUserToken.PropertyKey)] XUserToken bot, CancellationToken cancellationToken);

    [Get("/media/upload.json?command=STATUS")]
    Task<IApiResponse<MediaUploadResponse>> StatusAsync(
        [AliasAs("media_id")] string mediaId, [Property(XUserToken.PropertyKey)] XUserToken bot, CancellationToken cancellationToken);
}

public sealed class MediaInitForm(long totalBytes, string mediaType, string mediaCategory)
{
    [AliasAs("command")]
    public string Command => "INIT";

    [AliasAs("total_bytes")]
    public long TotalBytes { get; } = totalBytes;

    [AliasAs("media_type")]
    public string MediaType { get; } = mediaType;

    [AliasAs("media_category")]
    public string MediaCategory { get; } = mediaCategory;
}

public sealed class MediaCommandForm(string command, string mediaId)
{
    [AliasAs("command")]
    public string Command { get; } = command;

    [AliasAs("media_id")]
    public string MediaId { get; } = mediaId;
}
