using System.Globalization;
using System.Net.Http.Json;
using System.Net;
using System.Text.Json.Serialization.Metadata;
using System.Text.Json.Serialization;
using System.Text.Json;
using Microsoft.Extensions.Options;
using TwitterBot.Processor.Conversations;
using TwitterBot.Processor.Replies;
using TwitterBot.ServiceDefaults;

namespace TwitterBot.Processor.Clients.X;

/// <summary>
/// X's Direct Message endpoints, called as a bot account (OAuth 1.0a user context): v1.1, or v2 when
/// <c>TwitterBot:Api:Version</c> is <c>2</c> (v2 has no quick replies, typing indicator or read receipts).
/// </summary>
public sealed class XDirectMessageClient(HttpClient http, IOptions<TwitterBotOptions> options, XClock xClock)
{
    private bool IsV2 => options.Value.Api.Version == TwitterApiOptions.V2;

    public const string SendPath = "direct_messages/events/new.json";
    public const string TypingPath = "direct_messages/indicate_typing.json";
    public const string MarkReadPath = "direct_messages/mark_read.json";
    public const string ListPath = "direct_messages/events/list.json";

    /// <summary>Pages of the bot's DM list read at most per lookup (50 events each): beyond that, the lookup cannot decide.</summary>
    public const int LookupPageBudget = 10;

    /// <summary>Sends one DM and returns the id X gave it (null if X's answer did not carry one).</summary>
    /// <exception cref="XApiException">X answered with an error: the DM was not sent, unless X answered 5xx (<see cref="XApiException.OutcomeUnknown"/>).</exception>
    /// <exception cref="XOutcomeUnknownException">No answer from X: the DM may or may not have been sent.</exception>
    /// <exception cref="HttpRequestException">X could not be reached (<see cref="HttpRequestError.ConnectionError"/>): nothing was sent.</exception>
    /// <param name="text">The text to send (the reply's, or with its link when the media could not be attached).</param>
    /// <param name="mediaId">An uploaded media to attach, if any.</param>
    public async Task<string?> SendAsync(XUserToken bot, string recipientId, PlannedReply reply, string text, string? mediaId, CancellationToken cancellationToken)
    {
        if (IsV2)
        {
            var message = new V2NewMessage(V2Text(reply with { Text = text }), mediaId is null ? null : [new V2Attachment(mediaId)]);
            using var v2 = new HttpRequestMessage(HttpMethod.Post, V2ConversationPath(recipientId, "messages"))
            {
                Content = JsonContent.Create(message, XApiJsonContext.Default.V2NewMessage),
            };
            using var v2Response = await SendAsync(v2, bot, cancellationToken);
            return (await ReadSentAsync(v2Response, XApiJsonContext.Default.V2SentMessage, cancellationToken))?.Data?.DmEventId;
        }

        var quickReply = reply.QuickReplies is { Count: > 0 } options
            ? new NewQuickReply("options", options.Select(o => new NewQuickReplyOption(o.Label, o.Description, o.Metadata)).ToList())
            : null;
        var body = new NewDirectMessageRequest(new NewDirectMessageEvent(
            "message_create",
            new NewMessageCreate(
                new NewMessageTarget(recipientId),
                new NewMessageData(text, quickReply, mediaId is null ? null : new NewAttachment("media", new NewAttachedMedia(mediaId))))));

        using var request = new HttpRequestMessage(HttpMethod.Post, SendPath)
        {
            Content = JsonContent.Create(body, XApiJsonContext.Default.NewDirectMessageRequest),
        };
        using var response = await SendAsync(request, bot, cancellationToken);
        return (await ReadSentAsync(response, XApiJsonContext.Default.SentDirectMessageEvent, cancellationToken))?.Event?.Id;
    }

    /// <summary>X accepted the DM: an answer body it garbled does not make it unsent.</summary>
    private static async Task<T?> ReadSentAsync<T>(HttpResponseMessage response, JsonTypeInfo<T> type, CancellationToken cancellationToken)
    {
        try
        {
            return await response.Content.ReadFromJsonAsync(type, cancellationToken);
        }
        catch (JsonException)
        {
            return default;
        }
    }

    /// <summary>
    /// The ids of the DMs in X's list (X keeps 30 days) that are <paramref name="reply"/> sent by the bot to
    /// <paramref name="recipientId"/> since <paramref name="since"/>, oldest first: how a send whose outcome was
    /// lost is settled without sending twice or dropping it. "Is that reply" is exact: the text as it was sent
    /// (X's t.co links put back to what they stand for, the attachment's link removed, X's escaping undone),
    /// the quick-reply options, and whether a media is attached. The caller discards ids already recorded as
    /// other sends. Pages through the list until it is older than the send: by X's clock, as its answers' <c>Date</c>
    /// tells (<see cref="XClock"/>), so that a DM X created before the send began is not taken for it.
    /// </summary>
    /// <exception cref="ReplyLookupUndecidedException">X could not be read, or the send's time was not reached within <see cref="LookupPageBudget"/> pages.</exception>
    public async Task<IReadOnlyList<string>> FindSentAsync(
        XUserToken bot, string botUserId, string recipientId, PlannedReply reply, DateTimeOffset since, CancellationToken cancellationToken)
    {
        try
        {
            return IsV2
                ? await FindSentAsync(bot, since, V2PageAsync(recipientId), e => (e.CreatedAt, e.Id is { } id && IsReply(e, botUserId, reply) ? id : null), cancellationToken)
                : await FindSentAsync(bot, since, V1PageAsync, e => (Created(e), e.Id is { } id && IsReply(e, botUserId, recipientId, reply) ? id : null), cancellationToken);
        }
        catch (Exception failure) when (failure is XApiException or XOutcomeUnknownException or HttpRequestException or JsonException)
        {
            throw new ReplyLookupUndecidedException($"The bot's DMs on X could not be read ({failure.Message}): whether the reply was sent is not known yet.", failure);
        }
    }

    /// <summary>One page of the bot's DM list, newest first, and the cursor of the next (null at the end).</summary>
    private delegate Task<(IReadOnlyList<T> Events, string? Next)> PageFetcher<T>(XUserToken bot, string? cursor, CancellationToken cancellationToken);

    /// <summary>
    /// Pages through the bot's DM list until it is older than the send (by X's clock, as measured after each
    /// page), collecting the ids <paramref name="match"/> names; oldest first.
    /// </summary>
    /// <param name="match">An event's creation time (null: skipped) and its id when it is the reply.</param>
    private async Task<IReadOnlyList<string>> FindSentAsync<T>(
        XUserToken bot, DateTimeOffset since, PageFetcher<T> fetch, Func<T, (DateTimeOffset? Created, string? Id)> match, CancellationToken cancellationToken)
    {
        var found = new List<string>();
        string? cursor = null;
        for (var page = 0; page < LookupPageBudget; page++)
        {
            var (events, next) = await fetch(bot, cursor, cancellationToken);
            var earliest = xClock.EarliestSince(since);
            var reachedStart = false;
            foreach (var listedEvent in events)
            {
                if (match(listedEvent) is not ({ } created, var id))
                {
                    continue;
                }

                if (created < earliest)
                {
                    reachedStart = true;
                }
                else if (id is not null)
                {
                    found.Add(id);
                }
            }

            if (reachedStart || string.IsNullOrEmpty(next))
            {
                found.Reverse();
                return found;
            }

            cursor = next;
        }

        throw new ReplyLookupUndecidedException($"{LookupPageBudget} pages of the bot's DMs on X did not reach back to {since:O}: whether the reply was sent is not known yet.");
    }

    private async Task<(IReadOnlyList<ListedDirectMessageEvent> Events, string? Next)> V1PageAsync(XUserToken bot, string? cursor, CancellationToken cancellationToken)
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, cursor is null ? $"{ListPath}?count=50" : $"{ListPath}?count=50&cursor={Uri.EscapeDataString(cursor)}");
        using var response = await SendAsync(request, bot, cancellationToken);
        var listed = await response.Content.ReadFromJsonAsync(XApiJsonContext.Default.DirectMessageEventList, cancellationToken);
        return (listed?.Events ?? [], listed?.NextCursor);
    }

    private PageFetcher<V2DmEvent> V2PageAsync(string recipientId) => async (bot, token, cancellationToken) =>
    {
        var path = $"{V2ConversationPath(recipientId, "dm_events")}?dm_event.fields=id,sender_id,text,created_at,attachments,entities&event_types=MessageCreate&max_results=50";
        using var request = new HttpRequestMessage(HttpMethod.Get, token is null ? path : $"{path}&pagination_token={Uri.EscapeDataString(token)}");
        using var response = await SendAsync(request, bot, cancellationToken);
        var listed = await response.Content.ReadFromJsonAsync(XApiJsonContext.Default.V2DmEventList, cancellationToken);
        return (listed?.Data ?? [], listed?.Meta?.NextToken);
    };

    /// <summary>v1.1's <c>created_timestamp</c>: epoch milliseconds as a string.</summary>
    private static DateTimeOffset? Created(ListedDirectMessageEvent listed) =>
        long.TryParse(listed.CreatedTimestamp, NumberStyles.None, CultureInfo.InvariantCulture, out var milliseconds)
            ? DateTimeOffset.FromUnixTimeMilliseconds(milliseconds)
            : null;

    private static bool IsReply(ListedDirectMessageEvent listed, string botUserId, string recipientId, PlannedReply reply)
    {
        if (listed.MessageCreate is not { SenderId: var sender, Target.RecipientId: var recipient, MessageData: { } data }
            || sender != botUserId || recipient != recipientId)
        {
            return false;
        }

        var media = data.Attachment?.Media;
        var text = DirectMessageText.Normalize(data.Text ?? string.Empty, (data.Entities?.Urls ?? []).Select(u => (u.Url, u.ExpandedUrl)), media?.Url);
        var options = data.QuickReply?.Options ?? [];
        var planned = reply.QuickReplies ?? [];
        return options.Count == planned.Count
               && options.Zip(planned).All(o => o.First.Label == o.Second.Label && o.First.Description == o.Second.Description && o.First.Metadata == o.Second.Metadata)
               && SameText(text, media is not null, reply, t => t);
    }

    private static bool IsReply(V2DmEvent listed, string botUserId, PlannedReply reply)
    {
        if (listed.SenderId != botUserId)
        {
            return false;
        }

        var hasMedia = listed.Attachments?.MediaKeys is { Count: > 0 };
        var urls = listed.Entities?.Urls ?? [];
        var mediaLink = hasMedia ? urls.LastOrDefault(u => u.MediaKey is not null)?.Url : null;
        var text = DirectMessageText.Normalize(listed.Text ?? string.Empty, urls.Where(u => u.MediaKey is null).Select(u => (u.Url, u.ExpandedUrl)), mediaLink);
        return SameText(text, hasMedia, reply, t => V2Text(reply with { Text = t }));
    }

    /// <summary>With its media the reply's own text went out; without it (not planned, or the upload failed), the text with the link.</summary>
    private static bool SameText(string listed, bool hasMedia, PlannedReply reply, Func<string, string> sent) =>
        hasMedia
            ? reply.MediaUrl is not null && string.Equals(listed.Trim(), sent(reply.Text).Trim(), StringComparison.Ordinal)
            : string.Equals(listed.Trim(), sent(reply.TextWithLink).Trim(), StringComparison.Ordinal);

    /// <summary>v2 has no quick replies: the options follow the text as a numbered list.</summary>
    public static string V2Text(PlannedReply reply) =>
        reply.QuickReplies is { Count: > 0 } options
            ? $"{reply.Text}\n\n{string.Join('\n', options.Select((o, i) => $"{i + 1}. {o.Label}"))}"
            : reply.Text;

    /// <summary>v2 paths live at the host's root, beside the v1.1 base address.</summary>
    private static string V2ConversationPath(string participantId, string what) => $"/2/dm_conversations/with/{Uri.EscapeDataString(participantId)}/{what}";

    /// <summary>Shows the typing indicator to <paramref name="recipientId"/> (X shows it for a few seconds).</summary>
    public Task IndicateTypingAsync(XUserToken bot, string recipientId, CancellationToken cancellationToken) =>
        IsV2 ? Task.CompletedTask : SendFormAsync(TypingPath, bot, [KeyValuePair.Create("recipient_id", recipientId)], cancellationToken);

    /// <summary>Marks the conversation with <paramref name="recipientId"/> read up to <paramref name="eventId"/>.</summary>
    public Task MarkReadAsync(XUserToken bot, string recipientId, string eventId, CancellationToken cancellationToken) =>
        IsV2 ? Task.CompletedTask : SendFormAsync(MarkReadPath, bot, [KeyValuePair.Create("last_read_event_id", eventId), KeyValuePair.Create("recipient_id", recipientId)], cancellationToken);

    private async Task SendFormAsync(string path, XUserToken bot, KeyValuePair<string, string>[] form, CancellationToken cancellationToken)
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, path) { Content = new FormUrlEncodedContent(form) };
        (await SendAsync(request, bot, cancellationToken)).Dispose();
    }

    /// <summary>Sends a signed request; the caller disposes the successful response.</summary>
    private async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, XUserToken bot, CancellationToken cancellationToken)
    {
        request.Options.Set(XUserToken.OptionKey, bot);
        HttpResponseMessage response;
        try
        {
            response = await http.SendAsync(request, cancellationToken);
        }
        catch (HttpRequestException exception) when (exception.HttpRequestError != HttpRequestError.ConnectionError)
        {
            throw new XOutcomeUnknownException($"X's answer to {request.RequestUri} was lost: {exception.Message}", exception);
        }
        catch (TaskCanceledException exception) when (!cancellationToken.IsCancellationRequested)
        {
            throw new XOutcomeUnknownException($"X did not answer {request.RequestUri} within {http.Timeout}.", exception);
        }

        xClock.Observe(response);
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

/// <summary>How a failed X call must be handled.</summary>
public enum XFailureKind
{
    /// <summary>X will never accept this request (the user does not take DMs, the user is gone, …).</summary>
    Permanent,

    /// <summary>Too many requests: wait until the limit resets.</summary>
    RateLimited,

    /// <summary>X is struggling (5xx, over capacity): try again later.</summary>
    Transient,

    /// <summary>Code 89, invalid or expired token: the bot's token no longer works (as after X's revoke event).</summary>
    Revoked,

    /// <summary>
    /// Any other 401 (32 could not authenticate, 135 timestamp out of bounds, no code): X did not accept the
    /// signature this time, which an operator must fix (keys, clock) but which does not prove the token revoked. Retried.
    /// </summary>
    AuthenticationFailed,
}

/// <summary>X answered a request with an error status; carries X's own error codes and messages.</summary>
public sealed class XApiException(int statusCode, IReadOnlyList<XApiError> errors, DateTimeOffset? rateLimitResetsAt)
    : Exception($"X answered {statusCode}: {(errors.Count == 0 ? "no error details" : string.Join("; ", errors.Select(e => $"{e.Code} {e.Message}")))}")
{
    /// <summary>X's error codes that mean "never": 349 cannot send messages to this user, 150 not following, 108 no such user, 151 error sending.</summary>
    private static readonly int[] PermanentCodes = [349, 150, 108, 151];

    public int StatusCode { get; } = statusCode;

    public IReadOnlyList<XApiError> Errors { get; } = errors;

    /// <summary>From <c>x-rate-limit-reset</c> (epoch seconds), when X sent it.</summary>
    public DateTimeOffset? RateLimitResetsAt { get; } = rateLimitResetsAt;

    public int? ErrorCode => Errors.Count > 0 ? Errors[0].Code : null;

    public XFailureKind Kind => this switch
    {
        { StatusCode: 429 } or { ErrorCode: 88 } => XFailureKind.RateLimited,
        _ when Errors.Any(e => e.Code == 89) => XFailureKind.Revoked,
        { StatusCode: 401 } => XFailureKind.AuthenticationFailed,
        { ErrorCode: 130 or 131 } or { StatusCode: >= 500 } => XFailureKind.Transient,
        _ when Errors.Any(e => PermanentCodes.Contains(e.Code)) => XFailureKind.Permanent,
        { StatusCode: 403 or 404 or 400 } => XFailureKind.Permanent,
        _ => XFailureKind.Transient,
    };

    /// <summary>A 5xx proves nothing about a send: X may have delivered the DM before failing to answer.</summary>
    public bool OutcomeUnknown => StatusCode >= 500;

    /// <summary>Whether the consumer's retry may try again (the turn handles the other kinds itself).</summary>
    public bool IsRetryable => Kind is XFailureKind.Transient or XFailureKind.RateLimited or XFailureKind.AuthenticationFailed;

    public static async Task<XApiException> FromResponseAsync(HttpResponseMessage response, CancellationToken cancellationToken)
    {
        IReadOnlyList<XApiError> errors = [];
        try
        {
            var body = await response.Content.ReadFromJsonAsync(XApiJsonContext.Default.XErrorResponse, cancellationToken);
            errors = body?.Errors is { Count: > 0 } listed ? listed
                : (body?.Detail ?? body?.Title) is { } problem ? [new XApiError(0, problem)]
                : [];
        }
        catch (JsonException)
        {
            // Not X's JSON error shape (e.g. a proxy's HTML page): the status code is all we know.
        }

        DateTimeOffset? resetsAt = response.Headers.TryGetValues("x-rate-limit-reset", out var values)
            && long.TryParse(values.FirstOrDefault(), NumberStyles.None, CultureInfo.InvariantCulture, out var epochSeconds)
                ? DateTimeOffset.FromUnixTimeSeconds(epochSeconds)
                : null;
        return new XApiException((int)response.StatusCode, errors, resetsAt);
    }
}

/// <summary>The request may or may not have reached X (no answer, connection lost mid-way): never resend blindly.</summary>
public sealed class XOutcomeUnknownException(string message, Exception innerException) : Exception(message, innerException);

/// <summary>
/// Whether a reply whose outcome was lost reached X cannot be told yet (X's list could not be read, or not far
/// enough back): the reply is neither sent nor taken as sent, and the message is retried to ask again.
/// </summary>
public sealed class ReplyLookupUndecidedException : Exception
{
    public ReplyLookupUndecidedException(string message) : base(message)
    {
    }

    public ReplyLookupUndecidedException(string message, Exception innerException) : base(message, innerException)
    {
    }
}

public sealed record XApiError(int Code, string? Message);

public sealed record DirectMessageEventList(IReadOnlyList<ListedDirectMessageEvent>? Events, string? NextCursor = null);

public sealed record ListedDirectMessageEvent(string? Type, string? Id, string? CreatedTimestamp, ListedMessageCreate? MessageCreate);

public sealed record ListedMessageCreate(string? SenderId, NewMessageTarget? Target, ListedMessageData? MessageData);

public sealed record ListedMessageData(string? Text, ListedEntities? Entities = null, ListedQuickReply? QuickReply = null, ListedAttachment? Attachment = null);

public sealed record ListedEntities(IReadOnlyList<ListedUrl>? Urls);

/// <param name="MediaKey">v2: set on the link X appended for an attachment.</param>
public sealed record ListedUrl(string? Url, string? ExpandedUrl, string? MediaKey = null);

public sealed record ListedQuickReply(IReadOnlyList<NewQuickReplyOption>? Options);

public sealed record ListedAttachment(ListedMedia? Media);

/// <param name="Url">The t.co link X appended to the text for the attachment.</param>
public sealed record ListedMedia(string? Url);

public sealed record SentDirectMessageEvent(ListedDirectMessageEvent? Event);

public sealed record V2SentMessage(V2SentMessageData? Data);

public sealed record V2SentMessageData(string? DmConversationId, string? DmEventId);

public sealed record V2NewMessage(string Text, IReadOnlyList<V2Attachment>? Attachments);

public sealed record V2Attachment(string MediaId);

public sealed record V2DmEventList(IReadOnlyList<V2DmEvent>? Data, V2ListMeta? Meta = null);

public sealed record V2ListMeta(string? NextToken);

public sealed record V2DmEvent(string? Id, string? Text, string? SenderId, DateTimeOffset? CreatedAt, V2DmAttachments? Attachments = null, ListedEntities? Entities = null);

public sealed record V2DmAttachments(IReadOnlyList<string>? MediaKeys);

/// <summary>v1.1 lists coded errors; v2 answers a problem document (<c>title</c>, <c>detail</c>) whose errors carry no code.</summary>
public sealed record XErrorResponse(IReadOnlyList<XApiError>? Errors, string? Title = null, string? Detail = null);

public sealed record NewDirectMessageRequest(NewDirectMessageEvent Event);

public sealed record NewDirectMessageEvent(string Type, NewMessageCreate MessageCreate);

public sealed record NewMessageCreate(NewMessageTarget Target, NewMessageData MessageData);

public sealed record NewMessageTarget(string RecipientId);

public sealed record NewMessageData(string Text, NewQuickReply? QuickReply, NewAttachment? Attachment);

public sealed record NewAttachment(string Type, NewAttachedMedia Media);

public sealed record NewAttachedMedia(string Id);

public sealed record NewQuickReply(string Type, IReadOnlyList<NewQuickReplyOption> Options);

public sealed record NewQuickReplyOption(string Label, string? Description, string? Metadata);

[JsonSourceGenerationOptions(
    PropertyNamingPolicy = JsonKnownNamingPolicy.SnakeCaseLower,
    DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull)]
[JsonSerializable(typeof(NewDirectMessageRequest))]
[JsonSerializable(typeof(XErrorResponse))]
[JsonSerializable(typeof(DirectMessageEventList))]
[JsonSerializable(typeof(V2NewMessage))]
[JsonSerializable(typeof(V2DmEventList))]
[JsonSerializable(typeof(SentDirectMessageEvent))]
[JsonSerializable(typeof(V2SentMessage))]
public sealed partial class XApiJsonContext : JsonSerializerContext;
