using System.Collections.Concurrent;
using System.Globalization;
using System.Net.Http.Json;
using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using TwitterBot.Conventions.Webhooks;

namespace TwitterBot.Simulators;

/// <summary>
/// X's Account Activity API, in its premium (<c>account_activity/all/{env}</c>), enterprise
/// (<c>account_activity/webhooks</c>) and v2 (<c>/2/webhooks</c>) forms. Calls are authenticated as X
/// documents them (bearer token or OAuth 1.0a user context), and registering or re-validating a webhook
/// sends a real CRC challenge to its URL and checks the answer with the consumer secret.
/// </summary>
public sealed partial class FakeXApi
{
    private static readonly HttpClient CrcClient = new() { Timeout = TimeSpan.FromSeconds(10) };
    private int _nextId = 1;

    public ConcurrentDictionary<string, FakeWebhook> Webhooks { get; } = new();

    /// <summary>Subscribed user ids by webhook id.</summary>
    public ConcurrentDictionary<string, ConcurrentDictionary<string, bool>> Subscriptions { get; } = new();

    /// <summary>Account Activity requests as <c>METHOD path</c>, in arrival order (authenticated or not).</summary>
    public ConcurrentQueue<string> AccountRequests { get; } = new();

    /// <summary>CRC challenges sent, and whether the answer was right.</summary>
    public ConcurrentQueue<(string Url, bool Passed)> CrcChallenges { get; } = new();

    /// <summary>User ids of the user tokens this fake knows.</summary>
    public Dictionary<string, string> UserIds { get; } =
        (simulated ?? SimulatedApp.Test).Accounts.ToDictionary(a => a.AccessToken, a => a.UserId, StringComparer.Ordinal);

    /// <summary>What <c>x-access-level</c> says of every user token.</summary>
    public string AccessLevel { get; set; } = "read-write-directmessages";

    public int MaxWebhooks { get; set; } = 2;

    /// <summary>Answers an Account Activity request (<c>METHOD path</c>) instead of handling it when it returns a result.</summary>
    public Func<string, IResult?> AccountOverride { get; set; } = _ => null;

    /// <summary>X's answer with one coded error, as v1.1 sends it.</summary>
    public static IResult Error(int status, int code, string message) =>
        Results.Json(new { errors = new[] { new { code, message } } }, statusCode: status);

    public FakeWebhook AddWebhook(string url, bool valid = true)
    {
        var webhook = new FakeWebhook(NextId(), url, valid);
        Webhooks[webhook.Id] = webhook;
        Subscriptions[webhook.Id] = new();
        return webhook;
    }

    private void MapAccountActivity(WebApplication app)
    {
        var premium = app.MapGroup("/1.1/account_activity/all/{env}").AddEndpointFilter(async (context, next) =>
            context.HttpContext.Request.RouteValues["env"] as string == App.EnvName
                ? await next(context)
                : Error(404, 34, "Sorry, that page does not exist."));
        premium.MapGet("/webhooks.json", (HttpRequest r) => Bearer(r, () => Results.Json(Webhooks.Values.Select(V1Webhook))));
        premium.MapPost("/webhooks.json", (HttpRequest r) => AsUser(r, async _ => await RegisterAsync(r.Query["url"].ToString(), v2: false)));
        premium.MapPut("/webhooks/{id}.json", (HttpRequest r, string id) => AsUser(r, async _ => await ValidateAsync(id)));
        premium.MapDelete("/webhooks/{id}.json", (HttpRequest r, string id) => AsUser(r, _ => Task.FromResult(Delete(id))));
        premium.MapPost("/subscriptions.json", (HttpRequest r) => AsUser(r, user => Task.FromResult(Subscribe(OnlyWebhookId(), user, v2: false))));
        premium.MapGet("/subscriptions.json", (HttpRequest r) => AsUser(r, user => Task.FromResult(IsSubscribed(OnlyWebhookId(), user, v2: false))));
        premium.MapGet("/subscriptions/list.json", (HttpRequest r) => Bearer(r, () => SubscriptionList(OnlyWebhookId(), v2: false)));
        premium.MapDelete("/subscriptions/{userId}.json", (HttpRequest r, string userId) => Bearer(r, () => Unsubscribe(OnlyWebhookId(), userId)));
        app.MapGet("/1.1/account_activity/all/subscriptions/count.json", (HttpRequest r) => Bearer(r, () => Count(v2: false)));

        var enterprise = app.MapGroup("/1.1/account_activity");
        enterprise.MapGet("/webhooks.json", (HttpRequest r) => Bearer(r, () => Results.Json(Webhooks.Values.Select(V1Webhook))));
        enterprise.MapPost("/webhooks.json", (HttpRequest r) => AsUser(r, async _ => await RegisterAsync(r.Query["url"].ToString(), v2: false)));
        enterprise.MapPut("/webhooks/{id}.json", (HttpRequest r, string id) => AsUser(r, async _ => await ValidateAsync(id)));
        enterprise.MapDelete("/webhooks/{id}.json", (HttpRequest r, string id) => AsUser(r, _ => Task.FromResult(Delete(id))));
        enterprise.MapPost("/webhooks/{id}/subscriptions/all.json", (HttpRequest r, string id) => AsUser(r, user => Task.FromResult(Subscribe(id, user, v2: false))));
        enterprise.MapGet("/webhooks/{id}/subscriptions/all.json", (HttpRequest r, string id) => AsUser(r, user => Task.FromResult(IsSubscribed(id, user, v2: false))));
        enterprise.MapGet("/webhooks/{id}/subscriptions/all/list.json", (HttpRequest r, string id) => Bearer(r, () => SubscriptionList(id, v2: false)));
        enterprise.MapDelete("/webhooks/{id}/subscriptions/{userId}/all.json", (HttpRequest r, string id, string userId) => Bearer(r, () => Unsubscribe(id, userId)));
        enterprise.MapGet("/subscriptions/count.json", (HttpRequest r) => Bearer(r, () => Count(v2: false)));

        var v2 = app.MapGroup("/2");
        v2.MapGet("/webhooks", (HttpRequest r) => Bearer(r, () => Results.Json(new { data = Webhooks.Values.Select(V2Webhook) })));
        v2.MapPost("/webhooks", (HttpRequest r) => BearerAsync(r, async () => await RegisterAsync((await JsonNode.ParseAsync(r.Body))!["url"]!.GetValue<string>(), v2: true)));
        v2.MapPut("/webhooks/{id}", (HttpRequest r, string id) => BearerAsync(r, () => ValidateAsync(id)));
        v2.MapDelete("/webhooks/{id}", (HttpRequest r, string id) => Bearer(r, () => Delete(id)));
        v2.MapPost("/account_activity/webhooks/{id}/subscriptions/all", (HttpRequest r, string id) => AsUser(r, user => Task.FromResult(Subscribe(id, user, v2: true))));
        v2.MapGet("/account_activity/webhooks/{id}/subscriptions/all", (HttpRequest r, string id) => AsUser(r, user => Task.FromResult(IsSubscribed(id, user, v2: true))));
        v2.MapGet("/account_activity/webhooks/{id}/subscriptions/all/list", (HttpRequest r, string id) => Bearer(r, () => SubscriptionList(id, v2: true)));
        v2.MapDelete("/account_activity/webhooks/{id}/subscriptions/{userId}/all", (HttpRequest r, string id, string userId) => Bearer(r, () => Unsubscribe(id, userId)));
        v2.MapGet("/account_activity/subscriptions/count", (HttpRequest r) => Bearer(r, () => Count(v2: true)));

        app.MapGet("/1.1/account/verify_credentials.json", (HttpRequest r, HttpResponse response) => AsUser(r, user =>
        {
            response.Headers["x-access-level"] = AccessLevel;
            return Task.FromResult(Results.Json(new { id_str = user, screen_name = $"user{user}" }));
        }));
    }

    private IResult Bearer(HttpRequest request, Func<IResult> handle) => RefuseWithoutBearer(request) ?? handle();

    private async Task<IResult> BearerAsync(HttpRequest request, Func<Task<IResult>> handle) => RefuseWithoutBearer(request) ?? await handle();

    /// <summary>Records an app-only call; X's answer when it lacks the bearer token, or the override, or null to handle it.</summary>
    private IResult? RefuseWithoutBearer(HttpRequest request)
    {
        var call = $"{request.Method} {request.Path}";
        AccountRequests.Enqueue(call);
        if (request.Headers.Authorization.ToString() != $"Bearer {App.BearerToken}")
        {
            RejectedRequests.Enqueue($"{call}: no valid bearer token");
            return Error(401, 89, "Invalid or expired token.");
        }

        return AccountOverride(call);
    }

    /// <summary>Handles a request signed in a user context, with the user id of its token.</summary>
    private async Task<IResult> AsUser(HttpRequest request, Func<string, Task<IResult>> handle)
    {
        var call = $"{request.Method} {request.Path}";
        AccountRequests.Enqueue(call);
        if (Authenticate(request, []) is not { } token)
        {
            return Error(401, 32, "Could not authenticate you.");
        }

        return AccountOverride(call) ?? await handle(UserIds[token]);
    }

    private async Task<IResult> RegisterAsync(string url, bool v2)
    {
        if (!await PassesCrcAsync(url))
        {
            return Error(400, 214, "Webhook URL does not meet the requirements. Invalid CRC token or json response format.");
        }

        FakeWebhook webhook;
        lock (Webhooks)
        {
            if (Webhooks.Values.Any(w => w.Url == url))
            {
                return Error(400, 214, "Webhook URL already exists for this application.");
            }

            if (Webhooks.Count >= MaxWebhooks)
            {
                return Error(403, 214, "Too many resources already created.");
            }

            webhook = AddWebhook(url);
        }

        return v2 ? Results.Json(new { data = V2Webhook(webhook) }) : Results.Json(V1Webhook(webhook));
    }

    private async Task<IResult> ValidateAsync(string id)
    {
        if (!Webhooks.TryGetValue(id, out var webhook))
        {
            return Error(404, 34, "Sorry, that page does not exist.");
        }

        var passed = await PassesCrcAsync(webhook.Url);
        Webhooks[id] = webhook with { Valid = passed };
        return passed ? Results.NoContent() : Error(400, 214, "Webhook URL does not meet the requirements. Invalid CRC token or json response format.");
    }

    private async Task<bool> PassesCrcAsync(string url)
    {
        var token = $"crc{Guid.NewGuid():N}";
        bool passed;
        try
        {
            var answer = await CrcClient.GetFromJsonAsync<JsonObject>(new Uri($"{url}?crc_token={token}"));
            passed = answer?["response_token"]?.GetValue<string>() == new WebhookSigner(App.ConsumerSecret).CrcResponseToken(token);
        }
        catch (HttpRequestException)
        {
            passed = false;
        }

        CrcChallenges.Enqueue((url, passed));
        return passed;
    }

    private IResult Delete(string id) =>
        Webhooks.TryRemove(id, out _) && Subscriptions.TryRemove(id, out _) ? Results.NoContent() : Error(404, 34, "Sorry, that page does not exist.");

    private IResult Subscribe(string? id, string userId, bool v2)
    {
        if (id is null || !Subscriptions.TryGetValue(id, out var users))
        {
            return Error(400, 170, "Webhook must exist before subscribing.");
        }

        if (!users.TryAdd(userId, true) && !v2)
        {
            return Error(409, 355, "Subscription already exists.");
        }

        return v2 ? Results.Json(new { data = new { subscribed = true } }) : Results.NoContent();
    }

    private IResult IsSubscribed(string? id, string userId, bool v2)
    {
        var subscribed = id is not null && Subscriptions.TryGetValue(id, out var users) && users.ContainsKey(userId);
        return v2 ? Results.Json(new { data = new { subscribed } })
            : subscribed ? Results.NoContent()
            : Error(404, 34, "Sorry, that page does not exist.");
    }

    private IResult SubscriptionList(string? id, bool v2)
    {
        var users = id is not null && Subscriptions.TryGetValue(id, out var found) ? found.Keys.Select(user_id => new { user_id }).ToList() : [];
        return v2
            ? Results.Json(new { data = new { webhook_id = id, subscriptions = users } })
            : Results.Json(new { environment = App.EnvName, application_id = "13090192", subscriptions = users });
    }

    private IResult Unsubscribe(string? id, string userId) =>
        id is not null && Subscriptions.TryGetValue(id, out var users) && users.TryRemove(userId, out _) ? Results.NoContent() : Error(404, 34, "Sorry, that page does not exist.");

    private IResult Count(bool v2)
    {
        var all = Subscriptions.Values.Sum(users => users.Count);
        return v2
            ? Results.Json(new { data = new { subscriptions_count_all = all, subscriptions_count_direct_messages = all } })
            : Results.Json(new { account_name = "my-account", subscriptions_count_all = all.ToString(CultureInfo.InvariantCulture), subscriptions_count_direct_messages = all.ToString(CultureInfo.InvariantCulture) });
    }

    /// <summary>Premium environments hold one webhook; its subscriptions are addressed without its id.</summary>
    private string? OnlyWebhookId() => Webhooks.Keys.FirstOrDefault();

    private string NextId() => (1_400_000_000_000_000_000 + Interlocked.Increment(ref _nextId)).ToString(CultureInfo.InvariantCulture);

    private static object V1Webhook(FakeWebhook w) => new { id = w.Id, url = w.Url, valid = w.Valid, created_timestamp = "2026-11-01 10:00:00 +0000" };

    private static object V2Webhook(FakeWebhook w) => new { id = w.Id, url = w.Url, valid = w.Valid, created_at = "2026-11-01T10:00:00.000Z" };
}

public sealed record FakeWebhook(string Id, string Url, bool Valid);
