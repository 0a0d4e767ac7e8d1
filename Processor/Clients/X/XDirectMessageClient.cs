using System.Globalization;
using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using System.Text.Json.Serialization;
using Microsoft.Extensions.Options;
using TwitterBot.Processor.Conversations;
using TwitterBot.ServiceDefaults;

namespace TwitterBot.Processor.Clients.X;

/// <summary>
/// X's Direct Message endpoints, called as a bot account (OAuth 1.0a user context): v1.1, or v2 when
/// <c>TwitterBot:Api:Version</c> is <c>2</c> (v2 has no quick replies, typing indicator or read receipts).
/// </summary>
public sealed class XDirectMessageClient(HttpClient http, IOptions<TwitterBotOptions> options)
{
    private bool IsV2 => options.Value.Api.Version == TwitterApiOptions.V2;

    public const string SendPath = "direct_messages/events/new.json";
    public const string TypingPath = "direct_messages/indicate_typing.json";
    public const string MarkReadPath = "direct_messages/mark_read.json";
    public const string ListPath = "direct_messages/events/list.json";

    /// <summary>X's clock and ours may differ; a DM found this much before the send began still counts.</summary>
    private static readonly TimeSpan ClockSkew = TimeSpan.FromMinutes(2);

    /// <summary>Sends one DM.</summary>
    /// <exception cref="XApiException">X answered with an error: the DM was not sent.</exception>
    /// <exception cref="XOutcomeUnknownException">No answer from X: the DM may or may not have been sent.</exception>
    /// <param name="text">The text to send (the reply's, or with its link when the media could not be attached).</param>
    /// <param name="mediaId">An uploaded media to attach, if any.</param>
    public async Task SendAsync(XUserToken bot, string recipientId, PlannedReply reply, string text, string? mediaId, CancellationToken cancellationToken)
    {
        if (IsV2)
        {
            var message = new V2NewMessage(V2Text(reply with { Text = text }), mediaId is null ? null : [new V2Attachment(mediaId)]);
            using var v2 = new HttpRequestMessage(HttpMethod.Post, V2ConversationPath(recipientId, "messages"))
            {
                Content = JsonContent.Create(message, XApiJsonContext.Default.V2NewMessage),
            };
            (await SendAsync(v2, bot, cancellationToken)).Dispose();
            return;
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
        (await SendAsync(request, bot, cancellationToken)).Dispose();
    }

    /// <summary>
    /// Whether the bot's recent DM events (X keeps 30 days) hold <paramref name="reply"/> sent to
    /// <paramref name="recipientId"/> since <paramref name="since"/>: how a send whose outcome was lost is
    /// settled without sending twice. X shortens links in stored texts, so a reply with links is matched on
    /// the text before its first link.
    /// </summary>
    public async Task<bool> WasSentAsync(XUserToken bot, string botUserId, string recipientId, PlannedReply reply, DateTimeOffset since, CancellationToken cancellationToken)
    {
        var earliest = since - ClockSkew;
        if (IsV2)
        {
            using var v2 = new HttpRequestMessage(HttpMethod.Get, $"{V2ConversationPath(recipientId, "dm_events")}?dm_event.fields=sender_id,text,created_at&max_results=50");
            using var v2Response = await SendAsync(v2, bot, cancellationToken);
            var v2Page = await v2Response.Content.ReadFromJsonAsync(XApiJsonContext.Default.V2DmEventList, cancellationToken);
            return (v2Page?.Data ?? []).Any(e => e.SenderId == botUserId && e.CreatedAt >= earliest && e.Text is { } text && SameText(text, V2Text(reply)));
        }

        using var request = new HttpRequestMessage(HttpMethod.Get, $"{ListPath}?count=50");
        using var response = await SendAsync(request, bot, cancellationToken);
        var page = await response.Content.ReadFromJsonAsync(XApiJsonContext.Default.DirectMessageEventList, cancellationToken);
        return (page?.Events ?? []).Any(e =>
            e.MessageCreate is { SenderId: var sender, Target.RecipientId: var recipient, MessageData.Text: { } text }
            && sender == botUserId && recipient == recipientId
            && long.TryParse(e.CreatedTimestamp, NumberStyles.None, CultureInfo.InvariantCulture, out var created) && created >= earliest.ToUnixTimeMilliseconds()
            && SameText(text, reply.Text));
    }

    /// <summary>v2 has no quick replies: the options follow the text as a numbered list.</summary>
    public static string V2Text(PlannedReply reply) =>
        reply.QuickReplies is { Count: > 0 } options
            ? $"{reply.Text}\n\n{string.Join('\n', options.Select((o, i) => $"{i + 1}. {o.Label}"))}"
            : reply.Text;

    /// <summary>v2 paths live at the host's root, beside the v1.1 base address.</summary>
    private static string V2ConversationPath(string participantId, string what) => $"/2/dm_conversations/with/{Uri.EscapeDataString(participantId)}/{what}";

    /// <summary>X rewrites links to t.co and appends one for an attachment: compare the words before any link.</summary>
    private static bool SameText(string stored, string sent)
    {
        var link = sent.IndexOf("http", StringComparison.Ordinal);
        var words = (link < 0 ? sent : sent[..link]).TrimEnd();
        var unescaped = stored.Replace("&lt;", "<", StringComparison.Ordinal).Replace("&gt;", ">", StringComparison.Ordinal).Replace("&amp;", "&", StringComparison.Ordinal);
        return unescaped.StartsWith(words, StringComparison.Ordinal);
    }

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
        { ErrorCode: 130 or 131 } or { StatusCode: >= 500 } => XFailureKind.Transient,
        _ when Errors.Any(e => PermanentCodes.Contains(e.Code)) => XFailureKind.Permanent,
        { StatusCode: 403 or 404 or 400 or 401 } => XFailureKind.Permanent,
        _ => XFailureKind.Transient,
    };

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

public sealed record XApiError(int Code, string? Message);

public sealed record DirectMessageEventList(IReadOnlyList<ListedDirectMessageEvent>? Events);

public sealed record ListedDirectMessageEvent(string? Type, string? Id, string? CreatedTimestamp, ListedMessageCreate? MessageCreate);

public sealed record ListedMessageCreate(string? SenderId, NewMessageTarget? Target, ListedMessageData? MessageData);

public sealed record ListedMessageData(string? Text);

public sealed record V2NewMessage(string Text, IReadOnlyList<V2Attachment>? Attachments);

public sealed record V2Attachment(string MediaId);

public sealed record V2DmEventList(IReadOnlyList<V2DmEvent>? Data);

public sealed record V2DmEvent(string? Id, string? Text, string? SenderId, DateTimeOffset? CreatedAt);

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
public sealed partial class XApiJsonContext : JsonSerializerContext;
