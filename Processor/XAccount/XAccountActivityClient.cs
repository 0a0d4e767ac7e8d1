using System.Net;
using System.Runtime.ExceptionServices;
using System.Text.Json.Serialization;
using Microsoft.Extensions.Options;
using Refit;
using TwitterBot.Conventions.Accounts;
using TwitterBot.Processor.Clients.X;

namespace TwitterBot.Processor.XAccount;

/// <summary>
/// X's Account Activity API: the webhook X posts events to, and which bots are subscribed to it (Replay has its own client, <see cref="Replay.XReplayClient"/>).
/// Premium, enterprise or v2 endpoints (<see cref="IXAccountActivityApi"/>), as <see cref="AccountActivityRoutes"/>
/// selects from the configuration. Every answer goes through <see cref="XAnswers"/>: a value, or the exception the
/// callers and <see cref="XAdvice"/> expect (X's <see cref="XApiException"/>, the network's own exception).
/// </summary>
public sealed class XAccountActivityClient(IXAccountActivityApi api, IOptions<TwitterBotOptions> options)
{
    /// <summary>X's error code for "Subscription already exists": subscribing is then already done.</summary>
    private const int SubscriptionExists = 355;

    /// <summary>X's largest page of X Activity subscriptions; at most 1,500 on self-serve plans, so two pages.</summary>
    private const int ActivityPageSize = 1000;

    /// <summary>150,000 subscriptions, the Partner tier's limit: more pages than that is X misbehaving.</summary>
    private const int MaxActivityPages = 150;

    public AccountActivityRoutes Routes { get; } = new(options.Value.Api);

    private AccountActivityFlavor Flavor => Routes.Flavor;

    private string Env => Routes.EnvName;

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

    public async Task<IReadOnlyList<XWebhook>> ListWebhooksAsync(CancellationToken cancellationToken) => Flavor switch
    {
        AccountActivityFlavor.Premium => await XAnswers.ContentAsync(() => api.PremiumWebhooksAsync(Env, true, cancellationToken), cancellationToken) ?? [],
        AccountActivityFlavor.Enterprise => await XAnswers.ContentAsync(() => api.EnterpriseWebhooksAsync(true, cancellationToken), cancellationToken) ?? [],
        _ => (await XAnswers.ContentAsync(() => api.V2WebhooksAsync(true, cancellationToken), cancellationToken))?.Data ?? [],
    };

    /// <summary>Registers <paramref name="url"/>; X sends a CRC challenge to it before it answers.</summary>
    public async Task<XWebhook> RegisterWebhookAsync(string url, CancellationToken cancellationToken) => Flavor switch
    {
        AccountActivityFlavor.Premium => await XAnswers.ContentAsync(() => api.PremiumRegisterAsync(Env, url, Owner, cancellationToken), cancellationToken),
        AccountActivityFlavor.Enterprise => await XAnswers.ContentAsync(() => api.EnterpriseRegisterAsync(url, Owner, cancellationToken), cancellationToken),
        _ => (await XAnswers.ContentAsync(() => api.V2RegisterAsync(new V2WebhookRequest(url), true, cancellationToken), cancellationToken))?.Data,
    } ?? throw EmptyAnswer("registering the webhook");

    /// <summary>Asks X to send a new CRC challenge to the webhook (how an invalid webhook becomes valid again).</summary>
    public Task ValidateWebhookAsync(string webhookId, CancellationToken cancellationToken) => XAnswers.EnsureAsync(Flavor switch
    {
        AccountActivityFlavor.Premium => () => api.PremiumValidateAsync(Env, webhookId, Owner, cancellationToken),
        AccountActivityFlavor.Enterprise => () => api.EnterpriseValidateAsync(webhookId, Owner, cancellationToken),
        _ => () => api.V2ValidateAsync(webhookId, true, cancellationToken),
    }, cancellationToken);

    public Task DeleteWebhookAsync(string webhookId, CancellationToken cancellationToken) => XAnswers.EnsureAsync(Flavor switch
    {
        AccountActivityFlavor.Premium => () => api.PremiumDeleteAsync(Env, webhookId, Owner, cancellationToken),
        AccountActivityFlavor.Enterprise => () => api.EnterpriseDeleteAsync(webhookId, Owner, cancellationToken),
        _ => () => api.V2DeleteAsync(webhookId, true, cancellationToken),
    }, cancellationToken);

    /// <summary>Whether the bot whose token this is receives its events on the webhook.</summary>
    public async Task<bool> IsSubscribedAsync(string webhookId, XUserToken bot, CancellationToken cancellationToken)
    {
        EnsureAccountActivity();
        if (Flavor == AccountActivityFlavor.V2)
        {
            return (await XAnswers.ContentAsync(() => api.V2SubscriptionAsync(webhookId, bot, cancellationToken), cancellationToken))?.Data?.Subscribed ?? false;
        }

        try
        {
            await XAnswers.EnsureAsync(Flavor == AccountActivityFlavor.Premium
                ? () => api.PremiumSubscriptionAsync(Env, bot, cancellationToken)
                : () => api.EnterpriseSubscriptionAsync(webhookId, bot, cancellationToken), cancellationToken);
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
        EnsureAccountActivity();
        try
        {
            await XAnswers.EnsureAsync(Flavor switch
            {
                AccountActivityFlavor.Premium => () => api.PremiumSubscribeAsync(Env, bot, cancellationToken),
                AccountActivityFlavor.Enterprise => () => api.EnterpriseSubscribeAsync(webhookId, bot, cancellationToken),
                _ => () => api.V2SubscribeAsync(webhookId, new V2SubscriptionRequest(), bot, cancellationToken),
            }, cancellationToken);
        }
        catch (XApiException exists) when (exists.Errors.Any(e => e.Code == SubscriptionExists))
        {
        }
    }

    public Task UnsubscribeAsync(string webhookId, string userId, CancellationToken cancellationToken) => XAnswers.EnsureAsync(EnsureAccountActivity() switch
    {
        AccountActivityFlavor.Premium => () => api.PremiumUnsubscribeAsync(Env, userId, true, cancellationToken),
        AccountActivityFlavor.Enterprise => () => api.EnterpriseUnsubscribeAsync(webhookId, userId, true, cancellationToken),
        _ => () => api.V2UnsubscribeAsync(webhookId, userId, true, cancellationToken),
    }, cancellationToken);

    /// <summary>The user ids subscribed to the webhook.</summary>
    public async Task<IReadOnlyList<string>> ListSubscriptionsAsync(string webhookId, CancellationToken cancellationToken)
    {
        var list = EnsureAccountActivity() switch
        {
            AccountActivityFlavor.Premium => await XAnswers.ContentAsync(() => api.PremiumSubscriptionsAsync(Env, true, cancellationToken), cancellationToken),
            AccountActivityFlavor.Enterprise => await XAnswers.ContentAsync(() => api.EnterpriseSubscriptionsAsync(webhookId, true, cancellationToken), cancellationToken),
            _ => (await XAnswers.ContentAsync(() => api.V2SubscriptionsAsync(webhookId, true, cancellationToken), cancellationToken))?.Data,
        };
        return list?.Subscriptions?.Select(s => s.UserId).ToList() ?? [];
    }

    /// <summary>How many subscriptions the app has, against the limit of its tier.</summary>
    public async Task<XSubscriptionCount> CountSubscriptionsAsync(CancellationToken cancellationToken) => EnsureAccountActivity() switch
    {
        AccountActivityFlavor.Premium => await XAnswers.ContentAsync(() => api.PremiumCountAsync(true, cancellationToken), cancellationToken),
        AccountActivityFlavor.Enterprise => await XAnswers.ContentAsync(() => api.EnterpriseCountAsync(true, cancellationToken), cancellationToken),
        _ => (await XAnswers.ContentAsync(() => api.V2CountAsync(true, cancellationToken), cancellationToken))?.Data,
    } ?? throw EmptyAnswer("counting subscriptions");

    /// <summary>X Activity API: every subscription of the app (every webhook, ours or not), page after page.</summary>
    /// <exception cref="InvalidOperationException">X kept paging past <see cref="MaxActivityPages"/> pages.</exception>
    public async Task<IReadOnlyList<XActivitySubscription>> ListActivitySubscriptionsAsync(CancellationToken cancellationToken)
    {
        var all = new List<XActivitySubscription>();
        string? next = null;
        for (var page = 0; page < MaxActivityPages; page++)
        {
            var answer = await XAnswers.ContentAsync(() => api.ActivitySubscriptionsAsync(ActivityPageSize, next, true, cancellationToken), cancellationToken);
            all.AddRange(answer?.Data ?? []);
            if ((next = answer?.Meta?.NextToken) is not { Length: > 0 })
            {
                return all;
            }
        }

        throw new InvalidOperationException($"X listed more than {MaxActivityPages} pages of {ActivityPageSize} X Activity subscriptions.");
    }

    /// <summary>X Activity API: creates one subscription, in the context of the user it filters on.</summary>
    public async Task<XActivitySubscription> CreateActivitySubscriptionAsync(XActivitySubscriptionRequest subscription, XUserToken user, CancellationToken cancellationToken)
    {
        var created = (await XAnswers.ContentAsync(() => api.ActivitySubscribeAsync(subscription, user, cancellationToken), cancellationToken))?.Data
            ?? throw EmptyAnswer("creating the subscription");
        return created.Subscription ?? created;
    }

    /// <summary>X Activity API: deletes one subscription by id.</summary>
    public Task DeleteActivitySubscriptionAsync(string subscriptionId, CancellationToken cancellationToken) =>
        XAnswers.ContentAsync(() => api.ActivityUnsubscribeAsync(subscriptionId, true, cancellationToken), cancellationToken);

    /// <summary>Who the token belongs to, and the access level X grants the app with it (<c>x-access-level</c>).</summary>
    public async Task<XVerifiedAccount> VerifyCredentialsAsync(XUserToken user, CancellationToken cancellationToken)
    {
        using var response = await XAnswers.ReadAsync(() => api.VerifyCredentialsAsync(user, cancellationToken), cancellationToken);
        var account = response.Content ?? throw EmptyAnswer("verifying credentials");
        var accessLevel = response.Headers is { } headers && headers.TryGetValues("x-access-level", out var levels) ? levels.FirstOrDefault() : null;
        return new XVerifiedAccount(account.IdStr, account.ScreenName, accessLevel);
    }

    /// <summary>The Account Activity subscription calls, which the X Activity API replaces; the flavour otherwise.</summary>
    private AccountActivityFlavor EnsureAccountActivity() => Flavor == AccountActivityFlavor.ActivityApi
        ? throw new InvalidOperationException("With TwitterBot:Api:Subscriptions ActivityApi, subscriptions are X Activity subscriptions (ActivitySubscriptions), not Account Activity ones.")
        : Flavor;

    private static InvalidOperationException EmptyAnswer(string what) => new($"X answered {what} without the expected body.");
}

/// <summary>
/// The one place an Account Activity answer is classified, so errors and advice stay what they were before
/// Refit: no answer rethrows the network's own exception (<see cref="HttpRequestException"/>, a timeout, or our
/// signer's <see cref="XConfigurationException"/>); a refusal becomes <see cref="XApiException"/>, read from X's
/// body and headers by <see cref="XApiException.FromAnswer"/> as every X answer is; an unreadable body rethrows its JSON error.
/// </summary>
public static class XAnswers
{
    public static async Task<IApiResponse<T>> ReadAsync<T>(Func<Task<IApiResponse<T>>> call, CancellationToken cancellationToken)
    {
        var response = await SendAsync(call);
        try
        {
            EnsureSuccess(response);
            return response;
        }
        catch
        {
            response.Dispose();
            throw;
        }
    }

    /// <returns>The body, or null when X answered without one (204).</returns>
    public static async Task<T?> ContentAsync<T>(Func<Task<IApiResponse<T>>> call, CancellationToken cancellationToken)
    {
        using var response = await ReadAsync(call, cancellationToken);
        return response.Content;
    }

    public static async Task EnsureAsync(Func<Task<IApiResponse>> call, CancellationToken cancellationToken)
    {
        using var response = await SendAsync(call);
        EnsureSuccess(response);
    }

    private static async Task<TResponse> SendAsync<TResponse>(Func<Task<TResponse>> call)
    {
        try
        {
            return await call();
        }
        catch (ApiRequestException failed) when (failed.InnerException is { } cause)
        {
            ExceptionDispatchInfo.Throw(cause);
            throw;
        }
    }

    private static void EnsureSuccess(IApiResponse response)
    {
        if (response.HasRequestError(out var unsent))
        {
            ExceptionDispatchInfo.Throw(unsent.InnerException ?? unsent);
        }

        if (!response.IsSuccessStatusCode)
        {
            throw XApiException.FromAnswer((int)response.StatusCode!, (response.Error as ApiException)?.Content, response.Headers!);
        }

        if (response.Error is { } unreadable)
        {
            ExceptionDispatchInfo.Throw(unreadable.InnerException ?? unreadable);
        }
    }
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

public sealed record XAccount(string IdStr, string? ScreenName);

/// <param name="AccessLevel">e.g. <c>read-write-directmessages</c>; null when X did not say.</param>
public sealed record XVerifiedAccount(string UserId, string? ScreenName, string? AccessLevel)
{
    public bool CanDirectMessage => AccessLevel?.Contains("directmessages", StringComparison.OrdinalIgnoreCase) ?? false;
}

public sealed record V2Data<T>(T? Data);

public sealed record V2WebhookRequest(string Url);

/// <summary>v2's subscribe takes a JSON body, empty for "all events".</summary>
public sealed record V2SubscriptionRequest;

/// <summary>An X Activity subscription as X lists it (and, wrapped in <see cref="Subscription"/>, as its create answers in X's OpenAPI).</summary>
/// <param name="Tag">Ours start with <see cref="ActivitySubscriptions.TagPrefix"/>.</param>
public sealed record XActivitySubscription(
    string? SubscriptionId,
    string? EventType,
    XActivityFilter? Filter,
    string? Tag = null,
    string? WebhookId = null,
    string? CreatedAt = null,
    XActivitySubscription? Subscription = null);

/// <param name="Direction">X's optional <c>inbound</c>/<c>outbound</c> scope; we subscribe each event type on its own instead.</param>
public sealed record XActivityFilter(string? UserId, string? Direction = null);

public sealed record XActivitySubscriptionRequest(string EventType, XActivityFilter Filter, string? Tag, string? WebhookId);

public sealed record XActivitySubscriptionPage(IReadOnlyList<XActivitySubscription>? Data, XActivityPageMeta? Meta);

public sealed record XActivityPageMeta(int? TotalSubscriptions = null, string? NextToken = null);

public sealed record XActivityDeleted(bool Deleted);

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
[JsonSerializable(typeof(XAccount))]
[JsonSerializable(typeof(V2WebhookRequest))]
[JsonSerializable(typeof(V2SubscriptionRequest))]
[JsonSerializable(typeof(XActivitySubscriptionPage))]
[JsonSerializable(typeof(V2Data<XActivitySubscription>))]
[JsonSerializable(typeof(XActivitySubscriptionRequest))]
[JsonSerializable(typeof(V2Data<XActivityDeleted>))]
public sealed partial class AccountActivityJsonContext : JsonSerializerContext;
