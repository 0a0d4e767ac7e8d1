using System.Collections.Concurrent;
using System.Text.Json.Nodes;
using System.Threading.Channels;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.Extensions;
using TwitterBot.Processor.Clients.X;

namespace TwitterBot.Simulators;

/// <summary>
/// X's v1.1 DM endpoint over real HTTP. It accepts a request only with a valid OAuth 1.0a user-context
/// signature (recomputed from the app's and the bot's secrets), the way X does, and records what was sent.
/// </summary>
public sealed partial class FakeXApi(SimulatedApp? simulated = null) : FakeHttpServer
{
    public SimulatedApp App { get; } = simulated ?? SimulatedApp.Test;

    private readonly Channel<SentDirectMessage> _sent = Channel.CreateUnbounded<SentDirectMessage>();
    private readonly ConcurrentQueue<DeliveredDirectMessage> _delivered = new();
    private int _listRequests;
    private long _nextDmId;

    /// <summary>The clock X stamps DMs and send attempts with (a spec's clock, to move X's time with the Processor's).</summary>
    public TimeProvider Clock { get; set; } = TimeProvider.System;

    /// <summary>How far X's clock is ahead of <see cref="Clock"/>: X stamps DMs and its answers' <c>Date</c> header with <see cref="Now"/>.</summary>
    public TimeSpan ClockOffset { get; set; }

    /// <summary>X's time: <see cref="Clock"/> moved by <see cref="ClockOffset"/>.</summary>
    public DateTimeOffset Now => Clock.GetUtcNow() + ClockOffset;

    /// <summary>The ids of the DMs accepted through the API, in order.</summary>
    public ConcurrentQueue<string> AcceptedIds { get; } = new();

    /// <summary>At most this many events per page of the bot's DM list (X pages its list with a cursor).</summary>
    public int ListPageSize { get; set; } = 50;

    /// <summary>How many pages of DM events were asked for (v1.1 list and v2 conversation events).</summary>
    public int ListRequests => Volatile.Read(ref _listRequests);

    /// <summary>Told the number of each request for the bot's DM list, before it is answered (a spec changes the list meanwhile).</summary>
    public Action<int> ListRequested { get; set; } = _ => { };

    /// <summary>How many of the next requests for the bot's DM list are answered 503 (X struggling).</summary>
    public int ListFailures { get; set; }

    /// <summary>When each DM send attempt arrived, by <see cref="Clock"/>.</summary>
    public ConcurrentQueue<DateTimeOffset> AttemptTimes { get; } = new();

    /// <summary>What goes wrong with a send that <see cref="Override"/> did not answer (checked per attempt).</summary>
    public Func<SentDirectMessage, SendFault> Faults { get; set; } = _ => SendFault.None;

    /// <summary>Token secrets of the user tokens this fake X knows, by token.</summary>
    public Dictionary<string, string> UserTokens { get; } =
        (simulated ?? SimulatedApp.Test).Accounts.ToDictionary(a => a.AccessToken, a => a.AccessSecret, StringComparer.Ordinal);

    public ConcurrentQueue<string> RejectedRequests { get; } = new();

    /// <summary>Every authenticated DM send attempt, accepted or not, in arrival order.</summary>
    public ConcurrentQueue<SentDirectMessage> Attempts { get; } = new();

    /// <summary>Typing indicators and read receipts, as <c>path?form</c>.</summary>
    public ConcurrentQueue<string> Signals { get; } = new();

    /// <summary>Uploaded media by id: X's category and the bytes it received.</summary>
    public ConcurrentDictionary<string, (string Category, byte[] Bytes)> Media { get; } = new();

    /// <summary>When true, media uploads are refused at INIT (as X does for an invalid file).</summary>
    public bool RefuseUploads { get; set; }

    /// <summary>When set, an accepted DM's answer is held until it completes (a spec kills the sender meanwhile).</summary>
    public TaskCompletionSource? HoldAnswers { get; set; }

    /// <summary>Answers a DM send instead of accepting it when it returns a result (429, 403, …).</summary>
    public Func<SentDirectMessage, IResult?> Override { get; set; } = _ => null;

    /// <summary>X's answer when a rate limit is exhausted.</summary>
    public static IResult TooManyRequests(DateTimeOffset resetsAt) =>
        new RateLimitedResult(resetsAt.ToUnixTimeSeconds().ToString(System.Globalization.CultureInfo.InvariantCulture));

    /// <summary>A 429 whose <c>x-rate-limit-reset</c> is exactly <paramref name="resetHeader"/>, or missing when null.</summary>
    public static IResult TooManyRequests(string? resetHeader) => new RateLimitedResult(resetHeader);

    /// <summary>X's answer for a DM it will never deliver, e.g. 349 "You cannot send messages to this user."</summary>
    public static IResult Refused(int code, string message) =>
        Results.Json(new { errors = new[] { new { code, message } } }, statusCode: StatusCodes.Status403Forbidden);

    public List<SentDirectMessage> Sent { get; } = [];

    /// <summary>Every DM accepted so far, including those no one waited for yet.</summary>
    public IReadOnlyList<SentDirectMessage> AllAccepted()
    {
        while (_sent.Reader.TryRead(out var dm))
        {
            Sent.Add(dm);
        }

        return Sent;
    }

    /// <summary>Accepted DMs as they arrive, for a reader that shows them live (not with <see cref="WaitForDirectMessagesAsync"/>).</summary>
    public ChannelReader<SentDirectMessage> Accepted => _sent.Reader;

    public Uri ApiBaseAddress => new(BaseAddress, "1.1/");

    /// <summary>Waits until <paramref name="count"/> DMs have been accepted (bounded, so a broken pipeline fails).</summary>
    public async Task<IReadOnlyList<SentDirectMessage>> WaitForDirectMessagesAsync(int count, TimeSpan within)
    {
        using var timeout = new CancellationTokenSource(within);
        while (Sent.Count < count)
        {
            Sent.Add(await _sent.Reader.ReadAsync(timeout.Token));
        }

        return Sent;
    }

    protected override void Map(WebApplication app)
    {
        // Like X, every answer says X's time (whole seconds); Kestrel's own Date would be the machine's.
        app.Use((context, next) =>
        {
            context.Response.OnStarting(() =>
            {
                context.Response.Headers.Date = Now.ToString("R", System.Globalization.CultureInfo.InvariantCulture);
                return Task.CompletedTask;
            });
            return next(context);
        });
        MapSignals(app);
        MapSend(app);
        MapList(app);
        MapV2(app);
        MapUpload(app);
        MapAccountActivity(app);
        MapHistory(app);
        MapActivity(app);
        MapXChat(app);
        MapQuota(app);
    }

    /// <summary>X's chunked media upload: INIT, APPEND (multipart), FINALIZE, STATUS.</summary>
    private void MapUpload(WebApplication app)
    {
        var pending = new ConcurrentDictionary<string, (string Category, long Total, MemoryStream Bytes)>();
        app.MapPost("/1.1/media/upload.json", async (HttpRequest request) =>
        {
            var form = await request.ReadFormAsync();
            var signedFields = request.HasFormContentType && !request.ContentType!.StartsWith("multipart/", StringComparison.Ordinal)
                ? form.Select(f => KeyValuePair.Create(f.Key, f.Value.ToString()))
                : [];
            if (Authenticate(request, signedFields) is null)
            {
                return Results.StatusCode(StatusCodes.Status401Unauthorized);
            }

            switch (form["command"].ToString())
            {
                case "INIT" when RefuseUploads:
                    return Results.Json(new { errors = new[] { new { code = 324, message = "Invalid media." } } }, statusCode: 400);
                case "INIT":
                    var id = (1_900_000_000_000_000_000 + pending.Count).ToString(System.Globalization.CultureInfo.InvariantCulture);
                    pending[id] = (form["media_category"].ToString(), long.Parse(form["total_bytes"].ToString(), System.Globalization.CultureInfo.InvariantCulture), new MemoryStream());
                    return Results.Json(new { media_id = long.Parse(id, System.Globalization.CultureInfo.InvariantCulture), media_id_string = id });
                case "APPEND":
                    await form.Files["media"]!.CopyToAsync(pending[form["media_id"].ToString()].Bytes);
                    return Results.NoContent();
                case "FINALIZE":
                    var upload = pending[form["media_id"].ToString()];
                    if (upload.Bytes.Length != upload.Total)
                    {
                        return Results.Json(new { errors = new[] { new { code = 324, message = "Sizes do not match." } } }, statusCode: 400);
                    }

                    Media[form["media_id"].ToString()] = (upload.Category, upload.Bytes.ToArray());
                    return Results.Json(new { media_id_string = form["media_id"].ToString(), processing_info = new { state = "pending", check_after_secs = 1 } });
                default:
                    return Results.BadRequest();
            }
        });
        app.MapGet("/1.1/media/upload.json", (HttpRequest request) =>
            Authenticate(request, []) is null
                ? Results.StatusCode(StatusCodes.Status401Unauthorized)
                : Results.Json(new { media_id_string = request.Query["media_id"].ToString(), processing_info = new { state = "succeeded" } }));
    }

    /// <summary>X API v2: <c>POST /2/dm_conversations/with/:participant_id/messages</c> with <c>{"text": …}</c>.</summary>
    private void MapV2(WebApplication app)
    {
        app.MapPost("/2/dm_conversations/with/{participantId}/messages", async (string participantId, HttpContext context) =>
        {
            if (Authenticate(context.Request, []) is not { } token)
            {
                return Results.Json(new { title = "Unauthorized", status = 401 }, statusCode: 401);
            }

            var body = (await JsonNode.ParseAsync(context.Request.Body))!;
            var dm = new SentDirectMessage(token, participantId, body["text"]!.GetValue<string>(), null, body["attachments"]?[0]?["media_id"]?.GetValue<string>());
            return await AcceptAsync(context, dm, null, id => Results.Json(
                new { data = new { dm_conversation_id = $"{SenderOf(token)}-{participantId}", dm_event_id = id } }, statusCode: 201));
        });

        // The DM events of one conversation, newest first, paged with pagination_token / meta.next_token.
        app.MapGet("/2/dm_conversations/with/{participantId}/dm_events", (string participantId, HttpRequest request) =>
        {
            if (Authenticate(request, []) is not { } token)
            {
                return Results.Json(new { title = "Unauthorized", status = 401 }, statusCode: 401);
            }

            ListRequested(Interlocked.Increment(ref _listRequests));
            if (ListFailed())
            {
                return Results.Json(new { title = "Service Unavailable", status = 503 }, statusCode: 503);
            }

            var sender = SenderOf(token);
            var (page, next) = Page(
                d => (d.SenderUserId == sender && d.Message.RecipientId == participantId) || (d.SenderUserId == participantId && d.Message.RecipientId == sender),
                request.Query["max_results"], request.Query["pagination_token"]);
            var data = page.Select(d => new
            {
                id = d.Id,
                event_type = "MessageCreate",
                text = d.StoredText,
                sender_id = d.SenderUserId,
                created_at = d.At.UtcDateTime.ToString("yyyy-MM-ddTHH:mm:ss.fffZ", System.Globalization.CultureInfo.InvariantCulture),
                dm_conversation_id = $"{sender}-{participantId}",
                attachments = d.Message.MediaId is { } media ? new { media_keys = new[] { $"3_{media}" } } : null,
                entities = new
                {
                    urls = d.Links.Select(l => new { start = l.Start, end = l.Start + l.Short.Length, url = l.Short, expanded_url = l.Expanded, media_key = l.IsMedia ? $"3_{d.Message.MediaId}" : null }),
                },
            });
            return Results.Json(new { data, meta = new { result_count = page.Count, next_token = next } });
        });
    }

    /// <summary>The bot's recent DM events, as X's v1.1 <c>events/list</c> answers them (newest first, paged with <c>cursor</c>).</summary>
    private void MapList(WebApplication app) =>
        app.MapGet("/1.1/direct_messages/events/list.json", (HttpRequest request) =>
        {
            if (Authenticate(request, []) is not { } token)
            {
                return Results.StatusCode(StatusCodes.Status401Unauthorized);
            }

            ListRequested(Interlocked.Increment(ref _listRequests));
            if (ListFailed())
            {
                return Results.Json(new { errors = new[] { new { code = 130, message = "Over capacity" } } }, statusCode: 503);
            }

            var sender = SenderOf(token);
            var (page, next) = Page(d => d.SenderUserId == sender || d.Message.RecipientId == sender, request.Query["count"], request.Query["cursor"]);
            var events = page.Select(d => new
            {
                type = "message_create",
                id = d.Id,
                created_timestamp = d.At.ToUnixTimeMilliseconds().ToString(System.Globalization.CultureInfo.InvariantCulture),
                message_create = new
                {
                    target = new { recipient_id = d.Message.RecipientId },
                    sender_id = d.SenderUserId,
                    message_data = new
                    {
                        text = d.StoredText,
                        entities = new
                        {
                            hashtags = Array.Empty<object>(),
                            symbols = Array.Empty<object>(),
                            user_mentions = Array.Empty<object>(),
                            urls = d.Links.Where(l => !l.IsMedia).Select(l => new { url = l.Short, expanded_url = l.Expanded, display_url = l.Expanded, indices = new[] { l.Start, l.Start + l.Short.Length } }),
                        },
                        quick_reply = d.QuickReply?.DeepClone(),
                        attachment = d.Message.MediaId is { } media
                            ? new { type = "media", media = new { id = long.Parse(media, System.Globalization.CultureInfo.InvariantCulture), id_str = media, url = d.Links.Single(l => l.IsMedia).Short, media_url_https = $"https://ton.twimg.com/dm/{media}.png", type = "photo" } }
                            : null,
                    },
                },
            });
            return Results.Json(new { events, next_cursor = next });
        });

    private bool ListFailed()
    {
        lock (_delivered)
        {
            if (ListFailures <= 0)
            {
                return false;
            }

            ListFailures--;
            return true;
        }
    }

    private (List<DeliveredDirectMessage> Page, string? Next) Page(Func<DeliveredDirectMessage, bool> listed, string? count, string? cursor)
    {
        var size = Math.Min(ListPageSize, int.TryParse(count, out var asked) && asked > 0 ? asked : 20);
        var offset = cursor is { Length: > 1 } && int.TryParse(cursor[1..], out var from) ? from : 0;
        var all = _delivered.Where(listed).OrderByDescending(d => d.At).ThenByDescending(d => d.Id, StringComparer.Ordinal).ToList();
        var page = all.Skip(offset).Take(size).ToList();
        return (page, offset + size < all.Count ? $"c{offset + size}" : null);
    }

    private void MapSend(WebApplication app) =>
        app.MapPost("/1.1/direct_messages/events/new.json", async (HttpContext context) =>
        {
            if (Authenticate(context.Request, []) is not { } token)
            {
                return Results.Json(new { errors = new[] { new { code = 32, message = "Could not authenticate you." } } }, statusCode: 401);
            }

            var body = (await JsonNode.ParseAsync(context.Request.Body))!;
            var create = body["event"]!["message_create"]!;
            var quickReply = create["message_data"]!["quick_reply"];
            var dm = new SentDirectMessage(
                token,
                create["target"]!["recipient_id"]!.GetValue<string>(),
                create["message_data"]!["text"]!.GetValue<string>(),
                quickReply?["options"]?.AsArray().Select(o => o!["label"]!.GetValue<string>()).ToList(),
                create["message_data"]!["attachment"]?["media"]?["id"]?.GetValue<string>());
            return await AcceptAsync(context, dm, quickReply, id => Results.Json(new
            {
                @event = new
                {
                    type = "message_create",
                    id,
                    created_timestamp = Now.ToUnixTimeMilliseconds().ToString(System.Globalization.CultureInfo.InvariantCulture),
                },
            }));
        });

    /// <summary>Records a send attempt and, unless <see cref="Override"/> or <see cref="Faults"/> say otherwise, delivers it.</summary>
    private async Task<IResult> AcceptAsync(HttpContext context, SentDirectMessage dm, JsonNode? quickReply, Func<string, IResult> answer)
    {
        Attempts.Enqueue(dm);
        AttemptTimes.Enqueue(Clock.GetUtcNow());
        if (Quota(context, dm) is { } refused)
        {
            return refused;
        }

        if (Override(dm) is { } overridden)
        {
            return overridden;
        }

        var fault = Faults(dm);
        if (fault == SendFault.LoseRequest)
        {
            return new DroppedAnswer();
        }

        var id = Store(dm, quickReply, Now);
        AcceptedIds.Enqueue(id);
        await _sent.Writer.WriteAsync(dm);
        await EchoSentAsync(id, dm);
        if (HoldAnswers is { } hold)
        {
            await hold.Task;
        }

        return fault switch
        {
            SendFault.AcceptThenFail => Results.Json(new { errors = new[] { new { code = 131, message = "Internal error" } } }, statusCode: StatusCodes.Status503ServiceUnavailable),
            SendFault.AcceptThenDrop => new DroppedAnswer(),
            SendFault.AcceptWithoutId => Results.Json(new { }),
            _ => answer(id),
        };
    }

    /// <summary>
    /// Puts a DM in the bot's list the way the X app does when a person at the brand writes it (no send
    /// attempt through the API): for specs about DMs the Processor did not send.
    /// </summary>
    public string DeliverFromApp(string senderToken, string recipientId, string text, DateTimeOffset at) =>
        Store(new SentDirectMessage(senderToken, recipientId, text), null, at);

    /// <summary>Stores a DM as X does: links shortened to t.co, <c>&amp; &lt; &gt;</c> escaped, the attachment's link appended.</summary>
    private string Store(SentDirectMessage dm, JsonNode? quickReply, DateTimeOffset at)
    {
        var id = (1_950_000_000_000_000_000 + Interlocked.Increment(ref _nextDmId)).ToString(System.Globalization.CultureInfo.InvariantCulture);
        var links = new List<StoredLink>();
        var text = LinkPattern().Replace(dm.Text, match =>
        {
            var link = new StoredLink($"https://t.co/{id[^6..]}{links.Count}", match.Value, 0, false);
            links.Add(link);
            return link.Short;
        });
        if (dm.MediaId is not null)
        {
            var media = new StoredLink($"https://t.co/m{id[^6..]}", $"https://x.com/messages/media/{id}", 0, true);
            links.Add(media);
            text = text.Length == 0 ? media.Short : $"{text} {media.Short}";
        }

        var stored = text.Replace("&", "&amp;", StringComparison.Ordinal).Replace("<", "&lt;", StringComparison.Ordinal).Replace(">", "&gt;", StringComparison.Ordinal);
        links = links.Select(l => l with { Start = stored.IndexOf(l.Short, StringComparison.Ordinal) }).ToList();
        _delivered.Enqueue(new DeliveredDirectMessage(id, SenderOf(dm.SenderToken), dm, stored, links, quickReply?.DeepClone(), at));
        return id;
    }

    private string SenderOf(string token) => UserIds.GetValueOrDefault(token, App.Bot.UserId);

    [System.Text.RegularExpressions.GeneratedRegex(@"https?://\S+")]
    private static partial System.Text.RegularExpressions.Regex LinkPattern();

    private void MapSignals(WebApplication app)
    {
        foreach (var path in new[] { "/1.1/direct_messages/indicate_typing.json", "/1.1/direct_messages/mark_read.json" })
        {
            app.MapPost(path, async (HttpRequest request) =>
            {
                if (Authenticate(request, (await request.ReadFormAsync()).SelectMany(f => f.Value.Select(v => KeyValuePair.Create(f.Key, v!)))) is null)
                {
                    return Results.StatusCode(StatusCodes.Status401Unauthorized);
                }

                Signals.Enqueue($"{request.Path}?{string.Join('&', (await request.ReadFormAsync()).Select(f => $"{f.Key}={f.Value}"))}");
                return Results.NoContent();
            });
        }
    }

    /// <summary>The user token the request is validly signed with, or null (and the reason recorded).</summary>
    private string? Authenticate(HttpRequest request, IEnumerable<KeyValuePair<string, string>> form)
    {
        var header = request.Headers.Authorization.ToString();
        if (!header.StartsWith("OAuth ", StringComparison.Ordinal))
        {
            RejectedRequests.Enqueue("no OAuth authorization header");
            return null;
        }

        var oauth = header["OAuth ".Length..].Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries)
            .Select(part => part.Split('=', 2))
            .ToDictionary(kv => Uri.UnescapeDataString(kv[0]), kv => Uri.UnescapeDataString(kv[1].Trim('"')), StringComparer.Ordinal);

        if (oauth.GetValueOrDefault("oauth_consumer_key") != App.ConsumerKey
            || !oauth.TryGetValue("oauth_token", out var token)
            || !UserTokens.TryGetValue(token, out var tokenSecret)
            || !oauth.TryGetValue("oauth_signature", out var signature))
        {
            RejectedRequests.Enqueue("unknown consumer key or token");
            return null;
        }

        var requestUri = new Uri(request.GetEncodedUrl());
        var signed = oauth.Where(p => p.Key != "oauth_signature").Concat(OAuth1.QueryParameters(requestUri)).Concat(form);
        var expected = OAuth1.Signature(new HttpMethod(request.Method), requestUri, signed, App.ConsumerSecret, tokenSecret);
        if (expected != signature)
        {
            RejectedRequests.Enqueue("signature does not match");
            return null;
        }

        return token;
    }
}

/// <param name="QuickReplies">The labels of the quick-reply options, when the DM offered some.</param>
/// <param name="MediaId">The uploaded media attached to the DM, if any.</param>
public sealed record SentDirectMessage(string SenderToken, string RecipientId, string Text, IReadOnlyList<string>? QuickReplies = null, string? MediaId = null)
{
    public bool Equals(SentDirectMessage? other) =>
        other is not null && (SenderToken, RecipientId, Text, MediaId) == (other.SenderToken, other.RecipientId, other.Text, other.MediaId)
        && (QuickReplies ?? []).SequenceEqual(other.QuickReplies ?? []);

    public override int GetHashCode() => HashCode.Combine(SenderToken, RecipientId, Text);
}

/// <summary>What goes wrong with one DM send at the fake X.</summary>
public enum SendFault
{
    None,

    /// <summary>The DM is not delivered and the answer never arrives (the connection drops mid-answer).</summary>
    LoseRequest,

    /// <summary>The DM is delivered, then X answers 503.</summary>
    AcceptThenFail,

    /// <summary>The DM is delivered, then the connection drops before the answer is complete.</summary>
    AcceptThenDrop,

    /// <summary>The DM is delivered and X answers 200 with a body that names no id.</summary>
    AcceptWithoutId,
}

/// <summary>One DM in X's list: as stored (t.co links, escaped), with its links and quick-reply options.</summary>
internal sealed record DeliveredDirectMessage(
    string Id, string SenderUserId, SentDirectMessage Message, string StoredText, IReadOnlyList<StoredLink> Links, JsonNode? QuickReply, DateTimeOffset At);

internal sealed record StoredLink(string Short, string Expanded, int Start, bool IsMedia);

/// <summary>
/// Starts an answer and drops the connection before it is complete: the client sees an answer lost in
/// flight. Some bytes go out first, so that the client cannot take it for a stale pooled connection and
/// quietly resend the request.
/// </summary>
internal sealed class DroppedAnswer : IResult
{
    public async Task ExecuteAsync(HttpContext httpContext)
    {
        httpContext.Response.StatusCode = StatusCodes.Status200OK;
        httpContext.Response.ContentLength = 1000;
        await httpContext.Response.Body.WriteAsync("{\"event\":"u8.ToArray());
        await httpContext.Response.Body.FlushAsync();
        httpContext.Abort();
    }
}

/// <summary>429 with X's rate-limit headers.</summary>
internal sealed class RateLimitedResult(string? resetHeader) : IResult
{
    public async Task ExecuteAsync(HttpContext httpContext)
    {
        httpContext.Response.StatusCode = StatusCodes.Status429TooManyRequests;
        httpContext.Response.Headers["x-rate-limit-remaining"] = "0";
        if (resetHeader is not null)
        {
            httpContext.Response.Headers["x-rate-limit-reset"] = resetHeader;
        }

        await httpContext.Response.WriteAsJsonAsync(new { errors = new[] { new { code = 88, message = "Rate limit exceeded" } } });
    }
}
