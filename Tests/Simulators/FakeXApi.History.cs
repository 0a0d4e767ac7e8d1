using System.Collections.Concurrent;
using System.Globalization;
using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;

namespace TwitterBot.Simulators;

/// <summary>
/// Replay per flavour, and the DM history that fills older gaps. Replay: the enterprise (v1.1) and AAA v2
/// replay jobs (window in the query) and the X Activity API's webhook replay <c>POST /2/webhooks/replay</c>
/// (window in the body), all app-only, answering <c>{"job_id", "created_at"}</c>. History: v2
/// <c>GET /2/dm_events</c> beside v1.1's <c>events/list</c> (<c>FakeXApi.cs</c>), both over the DMs this fake holds,
/// newest first, in the user context of the bot whose history it is.
/// </summary>
public sealed partial class FakeXApi
{
    public ConcurrentQueue<(string WebhookId, string FromDate, string ToDate)> ReplayJobs { get; } = new();

    /// <summary>Every request that reached this fake, as <c>METHOD path</c>, whatever it asked for.</summary>
    public ConcurrentQueue<string> Requests { get; } = new();

    /// <summary>
    /// Puts a DM a person sent to <paramref name="recipientId"/> into X's history (as X keeps it, without a
    /// webhook delivery): for specs about DMs missed while nothing listened. Returns its event id.
    /// </summary>
    public string ReceiveDirectMessage(string senderId, string recipientId, string text, DateTimeOffset at)
    {
        var id = (1_950_000_000_000_000_000 + Interlocked.Increment(ref _nextDmId)).ToString(CultureInfo.InvariantCulture);
        var stored = text.Replace("&", "&amp;", StringComparison.Ordinal).Replace("<", "&lt;", StringComparison.Ordinal).Replace(">", "&gt;", StringComparison.Ordinal);
        _delivered.Enqueue(new DeliveredDirectMessage(id, senderId, new SentDirectMessage(string.Empty, recipientId, text), stored, [], null, at));
        return id;
    }

    private void MapHistory(WebApplication app)
    {
        app.Use((context, next) =>
        {
            Requests.Enqueue($"{context.Request.Method} {context.Request.Path}");
            return next(context);
        });

        app.MapPost("/1.1/account_activity/replay/webhooks/{id}/subscriptions/all.json", (HttpRequest r, string id) =>
            Bearer(r, () => Replay(id, r.Query["from_date"].ToString(), r.Query["to_date"].ToString(), accepted: StatusCodes.Status202Accepted)));
        app.MapPost("/2/account_activity/replay/webhooks/{id}/subscriptions/all", (HttpRequest r, string id) =>
            Bearer(r, () => Replay(id, r.Query["from_date"].ToString(), r.Query["to_date"].ToString(), accepted: StatusCodes.Status200OK)));
        app.MapPost("/2/webhooks/replay", (HttpRequest r) => BearerAsync(r, async () =>
        {
            var body = (await JsonNode.ParseAsync(r.Body))!;
            return Replay(body["webhook_id"]!.GetValue<string>(), body["from_date"]!.GetValue<string>(), body["to_date"]!.GetValue<string>(), accepted: StatusCodes.Status200OK);
        }));

        app.MapGet("/2/dm_events", (HttpRequest request) =>
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

            var user = SenderOf(token);
            var (page, next) = Page(d => d.SenderUserId == user || d.Message.RecipientId == user, request.Query["max_results"], request.Query["pagination_token"]);
            var data = page.Select(d => new
            {
                id = d.Id,
                event_type = "MessageCreate",
                text = d.StoredText,
                sender_id = d.SenderUserId,
                created_at = d.At.UtcDateTime.ToString("yyyy-MM-ddTHH:mm:ss.fffZ", CultureInfo.InvariantCulture),
                dm_conversation_id = string.Join('-', new[] { d.SenderUserId, d.Message.RecipientId }.Order(StringComparer.Ordinal)),
                entities = new { urls = d.Links.Select(l => new { start = l.Start, end = l.Start + l.Short.Length, url = l.Short, expanded_url = l.Expanded, media_key = l.IsMedia ? $"3_{d.Message.MediaId}" : null }) },
            });
            var users = page.Select(d => d.SenderUserId).Distinct().Select(id => new { id, name = $"User {id}", username = $"user{id}" });
            return Results.Json(new { data, includes = new { users }, meta = new { result_count = page.Count, next_token = next } });
        });
    }

    private IResult Replay(string id, string fromDate, string toDate, int accepted)
    {
        if (!Webhooks.ContainsKey(id))
        {
            return Error(404, 34, "Sorry, that page does not exist.");
        }

        ReplayJobs.Enqueue((id, fromDate, toDate));
        return Results.Json(new { job_id = $"job-{ReplayJobs.Count}", created_at = Now.UtcDateTime.ToString("yyyy-MM-ddTHH:mm:ss.fffZ", CultureInfo.InvariantCulture) }, statusCode: accepted);
    }
}
