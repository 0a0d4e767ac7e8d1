using System.Collections.Concurrent;
using System.Globalization;
using System.Text;
using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;

namespace TwitterBot.Simulators;

/// <summary>
/// X's Activity API subscriptions (<c>/2/activity/subscriptions</c>, docs.x.com x-api/activity): create in the
/// filtered user's own context for private events (<c>dm.*</c>, <c>chat.*</c>), list and delete app-only; every
/// subscription counts against the plan's limit (<see cref="ActivitySubscriptionLimit"/>).
/// </summary>
public sealed partial class FakeXApi
{
    private static readonly string[] PrivateEventPrefixes = ["dm.", "chat."];
    private long _nextActivityId = 1_976_325_569_252_868_000;

    /// <summary>Every X Activity subscription of the app, by id.</summary>
    public ConcurrentDictionary<string, FakeActivitySubscription> ActivitySubscriptions { get; } = new();

    /// <summary>The plan's limit: 1,500 on self-serve plans.</summary>
    public int ActivitySubscriptionLimit { get; set; } = 1500;

    /// <summary>How many subscriptions a list answers per page at most (X: <c>max_results</c>, up to 1,000).</summary>
    public int ActivityPageSize { get; set; } = 1000;

    /// <summary>Awaited before a create is stored: a spec holds creates here to make replicas race.</summary>
    public Func<Task> ActivityCreating { get; set; } = () => Task.CompletedTask;

    /// <summary>
    /// X's answer when the plan's limit is reached. docs.x.com does not show X Activity's; this is the Account
    /// Activity API's documented reason in a v2 problem.
    /// </summary>
    public static IResult SubscriptionLimitReached(int limit) => Results.Json(
        new
        {
            title = "Forbidden",
            type = "https://api.x.com/2/problems/subscription-limit",
            detail = $"SubscriptionLimitExceeded: the application has reached its subscription limit ({limit.ToString(CultureInfo.InvariantCulture)}).",
            status = 403,
        },
        statusCode: 403);

    public FakeActivitySubscription AddActivitySubscription(string eventType, string userId, string? webhookId, string? tag)
    {
        var subscription = new FakeActivitySubscription(
            Interlocked.Increment(ref _nextActivityId).ToString(CultureInfo.InvariantCulture), eventType, userId, webhookId, tag, Now);
        ActivitySubscriptions[subscription.Id] = subscription;
        return subscription;
    }

    private void MapActivity(WebApplication app)
    {
        var activity = app.MapGroup("/2/activity/subscriptions");
        activity.MapGet("", (HttpRequest r) => Bearer(r, () => ListActivity(r)));
        activity.MapPost("", (HttpRequest r) => AsUser(r, user => CreateActivityAsync(r, user)));
        activity.MapDelete("/{id}", (HttpRequest r, string id) => Bearer(r, () => ActivitySubscriptions.TryRemove(id, out _)
            ? Results.Json(new { data = new { deleted = true }, meta = new { total_subscriptions = ActivitySubscriptions.Count } })
            : Problem(404, "Not Found Error", $"Could not find subscription with id: [{id}].")));
    }

    private IResult ListActivity(HttpRequest request)
    {
        var size = Math.Min(ActivityPageSize, int.TryParse(request.Query["max_results"], out var asked) ? asked : 100);
        var ordered = ActivitySubscriptions.Values.OrderBy(s => s.Id, StringComparer.Ordinal).ToList();
        var start = int.TryParse(request.Query["pagination_token"], out var token) ? token : 0;
        var page = ordered.Skip(start).Take(size).Select(ActivityJson).ToList();
        var next = start + size < ordered.Count ? (start + size).ToString("D16", CultureInfo.InvariantCulture) : null;
        return Results.Json(new { data = page, meta = new { total_subscriptions = ordered.Count, next_token = next } });
    }

    private async Task<IResult> CreateActivityAsync(HttpRequest request, string user)
    {
        var body = (await JsonNode.ParseAsync(request.Body))!;
        var eventType = body["event_type"]?.GetValue<string>();
        var userId = body["filter"]?["user_id"]?.GetValue<string>();
        var webhookId = body["webhook_id"]?.GetValue<string>();
        var tag = body["tag"]?.GetValue<string>();
        if (eventType is null || userId is null || eventType.Any(char.IsUpper) || !eventType.Contains('.', StringComparison.Ordinal))
        {
            return Problem(400, "Invalid Request", "event_type must be one of X's dot-separated lower-case event types, and filter.user_id is required.");
        }

        if (tag is { Length: 0 or > 200 })
        {
            return Problem(400, "Invalid Request", "tag must be 1 to 200 characters.");
        }

        if (webhookId is not null && !Webhooks.ContainsKey(webhookId))
        {
            return Problem(400, "Invalid Request", $"webhook_id {webhookId} is not a webhook of this application.");
        }

        if (PrivateEventPrefixes.Any(p => eventType.StartsWith(p, StringComparison.Ordinal)) && userId != user)
        {
            return Problem(403, "Forbidden", $"{eventType} is a private event: it is subscribed to only in the context of the user it filters on.");
        }

        await ActivityCreating();
        FakeActivitySubscription created;
        lock (ActivitySubscriptions)
        {
            if (ActivitySubscriptions.Count >= ActivitySubscriptionLimit)
            {
                return SubscriptionLimitReached(ActivitySubscriptionLimit);
            }

            created = AddActivitySubscription(eventType, userId, webhookId, tag);
        }

        // X's OpenAPI wraps the new subscription in data.subscription (its quickstart shows it bare in data).
        return Results.Json(new { data = new { subscription = ActivityJson(created) }, meta = new { total_subscriptions = ActivitySubscriptions.Count } });
    }

    private static object ActivityJson(FakeActivitySubscription s) => new
    {
        subscription_id = s.Id,
        event_type = s.EventType,
        filter = new { user_id = s.UserId },
        tag = s.Tag,
        webhook_id = s.WebhookId,
        created_at = s.CreatedAt.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss.fff'Z'", CultureInfo.InvariantCulture),
        updated_at = s.CreatedAt.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss.fff'Z'", CultureInfo.InvariantCulture),
    };

    private static IResult Problem(int status, string title, string detail) =>
        Results.Json(new { title, detail, type = "about:blank", status }, statusCode: status);
}

/// <summary>One X Activity subscription as the simulator holds it.</summary>
public sealed record FakeActivitySubscription(string Id, string EventType, string UserId, string? WebhookId, string? Tag, DateTimeOffset CreatedAt);

/// <summary>
/// X Activity API webhook deliveries, shaped like docs.x.com's x-api/activity/event-payloads: <c>data</c> with a
/// string <c>event_uuid</c> (a signed 64-bit number's digits), the lower-case dotted <c>event_type</c>, the
/// matched <c>filter</c>, the subscription's <c>tag</c>, and a payload of <c>direct_message_events</c> and
/// <c>users</c> whose entries are wrapped in <c>data</c>. Post them with <see cref="XWebhookSender"/>.
/// </summary>
public static class XActivityDeliveries
{
    /// <summary>A <c>dm.received</c> delivery of one DM from <paramref name="person"/> to the bot (with <c>dm.sent</c>, from the bot to them).</summary>
    public static byte[] DirectMessage(
        string botUserId, string eventUuid, string directMessageId, SimulatedUser person, string text,
        string eventType = "dm.received", string? tag = null, DateTimeOffset? createdAt = null)
    {
        var received = eventType == "dm.received";
        var delivery = new JsonObject
        {
            ["data"] = new JsonObject
            {
                ["event_uuid"] = eventUuid,
                ["filter"] = new JsonObject { ["user_id"] = botUserId },
                ["event_type"] = eventType,
                ["tag"] = tag ?? $"twitterbot:{botUserId}",
                ["payload"] = new JsonObject
                {
                    ["direct_message_events"] = new JsonArray(new JsonObject
                    {
                        ["type"] = "message_create",
                        ["id"] = directMessageId,
                        ["created_timestamp"] = (createdAt ?? DateTimeOffset.UtcNow).ToUnixTimeMilliseconds().ToString(CultureInfo.InvariantCulture),
                        ["message_create"] = new JsonObject
                        {
                            ["target"] = new JsonObject { ["recipient_id"] = received ? botUserId : person.UserId },
                            ["sender_id"] = received ? person.UserId : botUserId,
                            ["message_data"] = new JsonObject
                            {
                                ["text"] = text,
                                ["entities"] = new JsonObject { ["hashtags"] = new JsonArray(), ["symbols"] = new JsonArray(), ["user_mentions"] = new JsonArray(), ["urls"] = new JsonArray() },
                            },
                        },
                    }),
                    ["users"] = new JsonObject
                    {
                        [person.UserId] = new JsonObject { ["data"] = new JsonObject { ["id"] = person.UserId, ["name"] = person.Name, ["username"] = person.ScreenName } },
                        [botUserId] = new JsonObject { ["data"] = new JsonObject { ["id"] = botUserId, ["name"] = "Bot", ["username"] = "bot" } },
                    },
                },
            },
        };
        return Encoding.UTF8.GetBytes(delivery.ToJsonString());
    }
}
