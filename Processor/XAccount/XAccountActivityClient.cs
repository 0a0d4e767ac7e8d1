using System.Globalization;
using System.Net;
using System.Net.Http.Json;
using System.Text.Json.Serialization;
using System.Text.Json.Serialization.Metadata;
using Microsoft.Extensions.Options;
using TwitterBot.Processor.Clients.X;
using TwitterBot.ServiceDefaults;

namespace TwitterBot.Processor.XAccount;

/// <summary>
/// X's Account Activity API: the webhook X posts events to, which bots are subscribed to it, and Replay.
/// Premium, enterprise or v2 endpoints, as <see cref="AccountActivityRoutes"/> selects from the configuration.
/// </summary>
public sealed class XAccountActivityClient(HttpClient http, IOptions<TwitterBotOptions> options)
{
    /// <summary>X's error code for "Subscription already exists": subscribing is then already done.</summary>
    private const int SubscriptionExists = 355;

    public AccountActivityRoutes Routes { get; } = new(options.Value.Api);

    /// <summary>
    /// The user context that manages v1.1 webhooks: the app owner's tokens
    /// (<c>TwitterBot:Auth:DefaultAccessToken/DefaultAccessSecret</c>), else the first bot's.
    /// </summary>
    public XUserToken Owner
    {
        get
        {
            var auth = options.Value.Auth;
            if (!string.IsNullOrWhiteSpace(auth.DefaultAccessToken) && !string.IsNullOrWhiteSpace(auth.DefaultAccessSecret))
            {
                return new XUserToken(auth.DefaultAccessToken, auth.DefaultAccessSecret);
            }

            return options.Value.Bots.FirstOrDefault() is { AccessToken: { } token, AccessSecret: { } secret }
                ? new XUserToken(token, secret)
                : throw new XConfigurationException("Managing webhooks needs the app owner's tokens: set TwitterBot:Auth:DefaultAccessToken and DefaultAccessSecret.");
        }
    }

    public async Task<IReadOnlyList<XWebhook>> ListWebhooksAsync(CancellationToken cancellationToken) =>
        Routes.Flavor == AccountActivityFlavor.V2
            ? (await ReadAsync(AppOnly(HttpMethod.Get, Routes.Webhooks), AccountActivityJsonContext.Default.V2DataListXWebhook, cancellationToken))?.Data ?? []
            : await ReadAsync(AppOnly(HttpMethod.Get, Routes.Webhooks), AccountActivityJsonContext.Default.ListXWebhook, cancellationToken) ?? [];

    /// <summary>Registers <paramref name="url"/>; X sends a CRC challenge to it before it answers.</summary>
    public async Task<XWebhook> RegisterWebhookAsync(string url, CancellationToken cancellationToken)
    {
        if (Routes.Flavor == AccountActivityFlavor.V2)
        {
            using var v2 = AppOnly(HttpMethod.Post, Routes.Webhooks);
            v2.Content = JsonContent.Create(new V2WebhookRequest(url), AccountActivityJsonContext.Default.V2WebhookRequest);
            return (await ReadAsync(v2, AccountActivityJsonContext.Default.V2DataXWebhook, cancellationToken))?.Data ?? throw EmptyAnswer(v2);
        }

        using var request = WebhookManagement(HttpMethod.Post, $"{Routes.Webhooks}?url={Uri.EscapeDataString(url)}");
        return await ReadAsync(request, AccountActivityJsonContext.Default.XWebhook, cancellationToken) ?? throw EmptyAnswer(request);
    }

    /// <summary>Asks X to send a new CRC challenge to the webhook (how an invalid webhook becomes valid again).</summary>
    public async Task ValidateWebhookAsync(string webhookId, CancellationToken cancellationToken) =>
        await ExecuteAsync(WebhookManagement(HttpMethod.Put, Routes.Webhook(webhookId)), cancellationToken);

    public async Task DeleteWebhookAsync(string webhookId, CancellationToken cancellationToken) =>
        await ExecuteAsync(WebhookManagement(HttpMethod.Delete, Routes.Webhook(webhookId)), cancellationToken);

    /// <summary>Whether the bot whose token this is receives its events on the webhook.</summary>
    public async Task<bool> IsSubscribedAsync(string webhookId, XUserToken bot, CancellationToken cancellationToken)
    {
        using var request = AsUser(HttpMethod.Get, Routes.Subscription(webhookId), bot);
        if (Routes.Flavor == AccountActivityFlavor.V2)
        {
            return (await ReadAsync(request, AccountActivityJsonContext.Default.V2DataXSubscriptionState, cancellationToken))?.Data?.Subscribed ?? false;
        }

        try
        {
            (await SendAsync(request, cancellationToken)).Dispose();
            return true;
        }
        catch (XApiException notSubscribed) when (notSubscribed.StatusCode == (int)HttpStatusCode.NotFound)
        {
            return false;
        }
    }

    /// <summary>Subscribes the bot whose token this is; already being subscribed counts as done.</summary>
    public async Task SubscribeAsync(string webhookId, XUserToken bot, CancellationToken cancellationToken)
    {
        using var request = AsUser(HttpMethod.Post, Routes.Subscription(webhookId), bot);
        if (Routes.Flavor == AccountActivityFlavor.V2)
        {
            request.Content = JsonContent.Create(new V2SubscriptionRequest(), AccountActivityJsonContext.Default.V2SubscriptionRequest);
        }

        try
        {
            (await SendAsync(request, cancellationToken)).Dispose();
        }
        catch (XApiException exists) when (exists.Errors.Any(e => e.Code == SubscriptionExists))
        {
        }
    }

    public async Task UnsubscribeAsync(string webhookId, string userId, CancellationToken cancellationToken) =>
        await ExecuteAsync(AppOnly(HttpMethod.Delete, Routes.Unsubscribe(webhookId, userId)), cancellationToken);

    /// <summary>The user ids subscribed to the webhook.</summary>
    public async Task<IReadOnlyList<string>> ListSubscriptionsAsync(string webhookId, CancellationToken cancellationToken)
    {
        using var request = AppOnly(HttpMethod.Get, Routes.SubscriptionList(webhookId));
        var list = Routes.Flavor == AccountActivityFlavor.V2
            ? (await ReadAsync(request, AccountActivityJsonContext.Default.V2DataXSubscriptionList, cancellationToken))?.Data
            : await ReadAsync(request, AccountActivityJsonContext.Default.XSubscriptionList, cancellationToken);
        return list?.Subscriptions?.Select(s => s.UserId).ToList() ?? [];
    }

    /// <summary>How many subscriptions the app has, against the limit of its tier.</summary>
    public async Task<XSubscriptionCount> CountSubscriptionsAsync(CancellationToken cancellationToken)
    {
        using var request = AppOnly(HttpMethod.Get, Routes.SubscriptionCount);
        return Routes.Flavor == AccountActivityFlavor.V2
            ? (await ReadAsync(request, AccountActivityJsonContext.Default.V2DataXSubscriptionCount, cancellationToken))?.Data ?? throw EmptyAnswer(request)
            : await ReadAsync(request, AccountActivityJsonContext.Default.XSubscriptionCount, cancellationToken) ?? throw EmptyAnswer(request);
    }

    /// <summary>Asks X to re-deliver every event of the webhook's subscriptions in [from, to).</summary>
    /// <exception cref="XConfigurationException">Premium environments have no Replay.</exception>
    public async Task<XReplayJob> CreateReplayJobAsync(string webhookId, DateTimeOffset from, DateTimeOffset to, CancellationToken cancellationToken)
    {
        var (fromDate, toDate) = (ReplayDate(from), ReplayDate(to));
        var path = Routes.Replay(webhookId, fromDate, toDate)
            ?? throw new XConfigurationException("Replay is an enterprise (TwitterBot:Api:EnvName empty) or v2 (TwitterBot:Api:Version 2) feature; premium environments cannot replay.");
        using var request = AppOnly(HttpMethod.Post, path);
        if (Routes.Flavor == AccountActivityFlavor.V2)
        {
            request.Content = JsonContent.Create(new V2ReplayRequest(webhookId, fromDate, toDate), AccountActivityJsonContext.Default.V2ReplayRequest);
            return (await ReadAsync(request, AccountActivityJsonContext.Default.V2DataXReplayJob, cancellationToken))?.Data ?? throw EmptyAnswer(request);
        }

        return await ReadAsync(request, AccountActivityJsonContext.Default.XReplayJob, cancellationToken) ?? throw EmptyAnswer(request);
    }

    /// <summary>Who the token belongs to, and the access level X grants the app with it (<c>x-access-level</c>).</summary>
    public async Task<XVerifiedAccount> VerifyCredentialsAsync(XUserToken user, CancellationToken cancellationToken)
    {
        using var request = AsUser(HttpMethod.Get, AccountActivityRoutes.VerifyCredentials, user);
        using var response = await SendAsync(request, cancellationToken);
        var account = await response.Content.ReadFromJsonAsync(AccountActivityJsonContext.Default.XAccount, cancellationToken) ?? throw EmptyAnswer(request);
        var accessLevel = response.Headers.TryGetValues("x-access-level", out var levels) ? levels.FirstOrDefault() : null;
        return new XVerifiedAccount(account.IdStr, account.ScreenName, accessLevel);
    }

    /// <summary>X's replay window bounds: <c>yyyyMMddHHmm</c> in UTC.</summary>
    public static string ReplayDate(DateTimeOffset at) => at.UtcDateTime.ToString("yyyyMMddHHmm", CultureInfo.InvariantCulture);

    private HttpRequestMessage WebhookManagement(HttpMethod method, string path) =>
        Routes.WebhooksNeedOwnerContext ? AsUser(method, path, Owner) : AppOnly(method, path);

    private static HttpRequestMessage AsUser(HttpMethod method, string path, XUserToken user)
    {
        var request = new HttpRequestMessage(method, path);
        request.Options.Set(XUserToken.OptionKey, user);
        return request;
    }

    private static HttpRequestMessage AppOnly(HttpMethod method, string path)
    {
        var request = new HttpRequestMessage(method, path);
        request.Options.Set(XAppOnly.OptionKey, true);
        return request;
    }

    private async Task<T?> ReadAsync<T>(HttpRequestMessage request, JsonTypeInfo<T> type, CancellationToken cancellationToken)
    {
        using (request)
        {
            using var response = await SendAsync(request, cancellationToken);
            return response.StatusCode == HttpStatusCode.NoContent ? default : await response.Content.ReadFromJsonAsync(type, cancellationToken);
        }
    }

    private async Task ExecuteAsync(HttpRequestMessage request, CancellationToken cancellationToken)
    {
        using (request)
        {
            (await SendAsync(request, cancellationToken)).Dispose();
        }
    }

    /// <summary>Sends; the caller disposes the successful response.</summary>
    private async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
    {
        var response = await http.SendAsync(request, cancellationToken);
        if (!response.IsSuccessStatusCode)
        {
            using (response)
            {
                throw await XApiException.FromResponseAsync(response, cancellationToken);
            }
        }

        return response;
    }

    private static InvalidOperationException EmptyAnswer(HttpRequestMessage request) =>
        new($"X answered {request.Method} {request.RequestUri} without the expected body.");
}

/// <param name="CreatedTimestamp">v1.1's <c>created_timestamp</c>.</param>
/// <param name="CreatedAt">v2's <c>created_at</c>.</param>
public sealed record XWebhook(string Id, string Url, bool Valid, string? CreatedTimestamp = null, string? CreatedAt = null)
{
    public string? Created => CreatedAt ?? CreatedTimestamp;
}

public sealed record XSubscriptionList(IReadOnlyList<XSubscribedUser>? Subscriptions);

public sealed record XSubscribedUser(string UserId);

public sealed record XSubscriptionState(bool Subscribed);

/// <summary>v1.1 sends the counts as strings, v2 as numbers.</summary>
public sealed record XSubscriptionCount(int SubscriptionsCountAll, int SubscriptionsCountDirectMessages, string? AccountName = null);

public sealed record XReplayJob(string JobId, string? CreatedAt);

public sealed record XAccount(string IdStr, string? ScreenName);

/// <param name="AccessLevel">e.g. <c>read-write-directmessages</c>; null when X did not say.</param>
public sealed record XVerifiedAccount(string UserId, string? ScreenName, string? AccessLevel)
{
    public bool CanDirectMessage => AccessLevel?.Contains("directmessages", StringComparison.OrdinalIgnoreCase) ?? false;
}

public sealed record V2Data<T>(T? Data);

public sealed record V2WebhookRequest(string Url);

public sealed record V2ReplayRequest(string WebhookId, string FromDate, string ToDate);

/// <summary>v2's subscribe takes a JSON body, empty for "all events".</summary>
public sealed record V2SubscriptionRequest;

[JsonSourceGenerationOptions(
    PropertyNamingPolicy = JsonKnownNamingPolicy.SnakeCaseLower,
    NumberHandling = JsonNumberHandling.AllowReadingFromString,
    DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull)]
[JsonSerializable(typeof(List<XWebhook>))]
[JsonSerializable(typeof(XWebhook))]
[JsonSerializable(typeof(V2Data<List<XWebhook>>))]
[JsonSerializable(typeof(V2Data<XWebhook>))]
[JsonSerializable(typeof(XSubscriptionList))]
[JsonSerializable(typeof(V2Data<XSubscriptionList>))]
[JsonSerializable(typeof(V2Data<XSubscriptionState>))]
[JsonSerializable(typeof(XSubscriptionCount))]
[JsonSerializable(typeof(V2Data<XSubscriptionCount>))]
[JsonSerializable(typeof(XReplayJob))]
[JsonSerializable(typeof(V2Data<XReplayJob>))]
[JsonSerializable(typeof(XAccount))]
[JsonSerializable(typeof(V2WebhookRequest))]
[JsonSerializable(typeof(V2ReplayRequest))]
[JsonSerializable(typeof(V2SubscriptionRequest))]
public sealed partial class AccountActivityJsonContext : JsonSerializerContext;
