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
    private readonly ConcurrentQueue<(SentDirectMessage Message, DateTimeOffset At)> _delivered = new();

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
    public static IResult TooManyRequests(DateTimeOffset resetsAt) => new RateLimitedResult(resetsAt);

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
        MapSignals(app);
        MapSend(app);
        MapList(app);
        MapV2(app);
        MapUpload(app);
        MapAccountActivity(app);
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
    private void MapV2(WebApplication app) =>
        app.MapPost("/2/dm_conversations/with/{participantId}/messages", async (string participantId, HttpRequest request) =>
        {
            if (Authenticate(request, []) is not { } token)
            {
                return Results.Json(new { title = "Unauthorized", status = 401 }, statusCode: 401);
            }

            var body = (await JsonNode.ParseAsync(request.Body))!;
            var dm = new SentDirectMessage(token, participantId, body["text"]!.GetValue<string>());
            Attempts.Enqueue(dm);
            if (Override(dm) is { } answer)
            {
                return answer;
            }

            _delivered.Enqueue((dm, DateTimeOffset.UtcNow));
            await _sent.Writer.WriteAsync(dm);
            return Results.Json(new { data = new { dm_conversation_id = $"{App.Bot.UserId}-{participantId}", dm_event_id = DateTime.UtcNow.Ticks.ToString(System.Globalization.CultureInfo.InvariantCulture) } }, statusCode: 201);
        });

    /// <summary>The bot's recent DM events, as X's v1.1 <c>events/list</c> answers them (newest first).</summary>
    private void MapList(WebApplication app) =>
        app.MapGet("/1.1/direct_messages/events/list.json", (HttpRequest request) =>
        {
            if (Authenticate(request, []) is not { } token)
            {
                return Results.StatusCode(StatusCodes.Status401Unauthorized);
            }

            var events = _delivered.Where(d => d.Message.SenderToken == token).Reverse().Select(d => new
            {
                type = "message_create",
                id = d.At.UtcTicks.ToString(System.Globalization.CultureInfo.InvariantCulture),
                created_timestamp = d.At.ToUnixTimeMilliseconds().ToString(System.Globalization.CultureInfo.InvariantCulture),
                message_create = new
                {
                    target = new { recipient_id = d.Message.RecipientId },
                    sender_id = App.Bot.UserId,
                    message_data = new { text = d.Message.Text },
                },
            });
            return Results.Json(new { events });
        });

    private void MapSend(WebApplication app) =>
        app.MapPost("/1.1/direct_messages/events/new.json", async (HttpRequest request) =>
        {
            if (Authenticate(request, []) is not { } token)
            {
                return Results.Json(new { errors = new[] { new { code = 32, message = "Could not authenticate you." } } }, statusCode: 401);
            }

            var body = (await JsonNode.ParseAsync(request.Body))!;
            var create = body["event"]!["message_create"]!;
            var dm = new SentDirectMessage(
                token,
                create["target"]!["recipient_id"]!.GetValue<string>(),
                create["message_data"]!["text"]!.GetValue<string>(),
                create["message_data"]!["quick_reply"]?["options"]?.AsArray().Select(o => o!["label"]!.GetValue<string>()).ToList(),
                create["message_data"]!["attachment"]?["media"]?["id"]?.GetValue<string>());
            Attempts.Enqueue(dm);
            if (Override(dm) is { } answer)
            {
                return answer;
            }

            _delivered.Enqueue((dm, DateTimeOffset.UtcNow));
            await _sent.Writer.WriteAsync(dm);
            if (HoldAnswers is { } hold)
            {
                await hold.Task;
            }

            return Results.Json(new { @event = new { type = "message_create", id = DateTime.UtcNow.Ticks.ToString(System.Globalization.CultureInfo.InvariantCulture) } });
        });

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

/// <summary>429 with X's rate-limit headers.</summary>
internal sealed class RateLimitedResult(DateTimeOffset resetsAt) : IResult
{
    public async Task ExecuteAsync(HttpContext httpContext)
    {
        httpContext.Response.StatusCode = StatusCodes.Status429TooManyRequests;
        httpContext.Response.Headers["x-rate-limit-remaining"] = "0";
        httpContext.Response.Headers["x-rate-limit-reset"] = resetsAt.ToUnixTimeSeconds().ToString(System.Globalization.CultureInfo.InvariantCulture);
        await httpContext.Response.WriteAsJsonAsync(new { errors = new[] { new { code = 88, message = "Rate limit exceeded" } } });
    }
}
