using Refit;

namespace TwitterBot.Processor.XAccount;

/// <summary>
/// X's Account Activity endpoints as Refit declares them, one group per flavour (<see cref="AccountActivityFlavor"/>),
/// relative to <c>TwitterBot:Api:TwitterUrl</c> (v2 paths start at the host's root). Who signs each call is a
/// request option the OAuth handler reads: the app's bearer token for app-wide reads and v2 webhook management,
/// the app owner's user context to manage v1.1 webhooks, each bot's own user context to subscribe it.
/// Use it through <see cref="XAccountActivityClient"/>, which turns every answer into a value or X's error.
/// </summary>
public interface IXAccountActivityApi
{
    /// <summary><see cref="Clients.X.XUserToken.OptionKey"/>'s name: the request is signed with this user's OAuth 1.0a tokens.</summary>
    const string AsUser = "TwitterBot.XUserToken";

    /// <summary><see cref="Clients.X.XAppOnly.OptionKey"/>'s name: the request carries the app's bearer token.</summary>
    const string AppOnly = "TwitterBot.XAppOnly";

    // Premium: account_activity/all/{env}/…

    [Get("account_activity/all/{env}/webhooks.json")]
    Task<IApiResponse<List<XWebhook>>> PremiumWebhooksAsync(string env, [Property(AppOnly)] bool appOnly, CancellationToken cancellationToken);

    [Post("account_activity/all/{env}/webhooks.json")]
    Task<IApiResponse<XWebhook>> PremiumRegisterAsync(string env, [Query] string url, [Property(AsUser)] Clients.X.XUserToken owner, CancellationToken cancellationToken);

    [Put("account_activity/all/{env}/webhooks/{webhookId}.json")]
    Task<IApiResponse> PremiumValidateAsync(string env, string webhookId, [Property(AsUser)] Clients.X.XUserToken owner, CancellationToken cancellationToken);

    [Delete("account_activity/all/{env}/webhooks/{webhookId}.json")]
    Task<IApiResponse> PremiumDeleteAsync(string env, string webhookId, [Property(AsUser)] Clients.X.XUserToken owner, CancellationToken cancellationToken);

    [Get("account_activity/all/{env}/subscriptions.json")]
    Task<IApiResponse> PremiumSubscriptionAsync(string env, [Property(AsUser)] Clients.X.XUserToken bot, CancellationToken cancellationToken);

    [Post("account_activity/all/{env}/subscriptions.json")]
    Task<IApiResponse> PremiumSubscribeAsync(string env, [Property(AsUser)] Clients.X.XUserToken bot, CancellationToken cancellationToken);

    [Delete("account_activity/all/{env}/subscriptions/{userId}.json")]
    Task<IApiResponse> PremiumUnsubscribeAsync(string env, string userId, [Property(AppOnly)] bool appOnly, CancellationToken cancellationToken);

    [Get("account_activity/all/{env}/subscriptions/list.json")]
    Task<IApiResponse<XSubscriptionList>> PremiumSubscriptionsAsync(string env, [Property(AppOnly)] bool appOnly, CancellationToken cancellationToken);

    [Get("account_activity/all/subscriptions/count.json")]
    Task<IApiResponse<XSubscriptionCount>> PremiumCountAsync([Property(AppOnly)] bool appOnly, CancellationToken cancellationToken);

    // Enterprise: account_activity/webhooks/{webhookId}/…

    [Get("account_activity/webhooks.json")]
    Task<IApiResponse<List<XWebhook>>> EnterpriseWebhooksAsync([Property(AppOnly)] bool appOnly, CancellationToken cancellationToken);

    [Post("account_activity/webhooks.json")]
    Task<IApiResponse<XWebhook>> EnterpriseRegisterAsync([Query] string url, [Property(AsUser)] Clients.X.XUserToken owner, CancellationToken cancellationToken);

    [Put("account_activity/webhooks/{webhookId}.json")]
    Task<IApiResponse> EnterpriseValidateAsync(string webhookId, [Property(AsUser)] Clients.X.XUserToken owner, CancellationToken cancellationToken);

    [Delete("account_activity/webhooks/{webhookId}.json")]
    Task<IApiResponse> EnterpriseDeleteAsync(string webhookId, [Property(AsUser)] Clients.X.XUserToken owner, CancellationToken cancellationToken);

    [Get("account_activity/webhooks/{webhookId}/subscriptions/all.json")]
    Task<IApiResponse> EnterpriseSubscriptionAsync(string webhookId, [Property(AsUser)] Clients.X.XUserToken bot, CancellationToken cancellationToken);

    [Post("account_activity/webhooks/{webhookId}/subscriptions/all.json")]
    Task<IApiResponse> EnterpriseSubscribeAsync(string webhookId, [Property(AsUser)] Clients.X.XUserToken bot, CancellationToken cancellationToken);

    [Delete("account_activity/webhooks/{webhookId}/subscriptions/{userId}/all.json")]
    Task<IApiResponse> EnterpriseUnsubscribeAsync(string webhookId, string userId, [Property(AppOnly)] bool appOnly, CancellationToken cancellationToken);

    [Get("account_activity/webhooks/{webhookId}/subscriptions/all/list.json")]
    Task<IApiResponse<XSubscriptionList>> EnterpriseSubscriptionsAsync(string webhookId, [Property(AppOnly)] bool appOnly, CancellationToken cancellationToken);

    [Get("account_activity/subscriptions/count.json")]
    Task<IApiResponse<XSubscriptionCount>> EnterpriseCountAsync([Property(AppOnly)] bool appOnly, CancellationToken cancellationToken);

    // v2: /2/webhooks and /2/account_activity/…, every answer wrapped in "data".

    [Get("/2/webhooks")]
    Task<IApiResponse<V2Data<List<XWebhook>>>> V2WebhooksAsync([Property(AppOnly)] bool appOnly, CancellationToken cancellationToken);

    [Post("/2/webhooks")]
    Task<IApiResponse<V2Data<XWebhook>>> V2RegisterAsync([Body] V2WebhookRequest webhook, [Property(AppOnly)] bool appOnly, CancellationToken cancellationToken);

    [Put("/2/webhooks/{webhookId}")]
    Task<IApiResponse> V2ValidateAsync(string webhookId, [Property(AppOnly)] bool appOnly, CancellationToken cancellationToken);

    [Delete("/2/webhooks/{webhookId}")]
    Task<IApiResponse> V2DeleteAsync(string webhookId, [Property(AppOnly)] bool appOnly, CancellationToken cancellationToken);

    [Get("/2/account_activity/webhooks/{webhookId}/subscriptions/all")]
    Task<IApiResponse<V2Data<XSubscriptionState>>> V2SubscriptionAsync(string webhookId, [Property(AsUser)] Clients.X.XUserToken bot, CancellationToken cancellationToken);

    [Post("/2/account_activity/webhooks/{webhookId}/subscriptions/all")]
    Task<IApiResponse> V2SubscribeAsync(string webhookId, [Body] V2SubscriptionRequest subscription, [Property(AsUser)] Clients.X.XUserToken bot, CancellationToken cancellationToken);

    [Delete("/2/account_activity/webhooks/{webhookId}/subscriptions/{userId}/all")]
    Task<IApiResponse> V2UnsubscribeAsync(string webhookId, string userId, [Property(AppOnly)] bool appOnly, CancellationToken cancellationToken);

    [Get("/2/account_activity/webhooks/{webhookId}/subscriptions/all/list")]
    Task<IApiResponse<V2Data<XSubscriptionList>>> V2SubscriptionsAsync(string webhookId, [Property(AppOnly)] bool appOnly, CancellationToken cancellationToken);

    [Get("/2/account_activity/subscriptions/count")]
    Task<IApiResponse<V2Data<XSubscriptionCount>>> V2CountAsync([Property(AppOnly)] bool appOnly, CancellationToken cancellationToken);

    // Every flavour: who a token belongs to, and the access level X grants the app with it (x-access-level).

    [Get("account/verify_credentials.json?include_entities=false&skip_status=true")]
    Task<IApiResponse<XAccount>> VerifyCredentialsAsync([Property(AsUser)] Clients.X.XUserToken user, CancellationToken cancellationToken);

    // The X Activity API (TwitterBot:Api:Subscriptions ActivityApi): /2/activity/subscriptions, beside v2's /2/webhooks.
    // dm.* are private events: X creates their subscription only in the filtered user's own context (OAuth 1.0a is
    // one of the create's schemes in X's OpenAPI); listing and deleting are app-only (bearer, the only scheme of DELETE).

    [Get("/2/activity/subscriptions")]
    Task<IApiResponse<XActivitySubscriptionPage>> ActivitySubscriptionsAsync(
        [Query, AliasAs("max_results")] int maxResults, [Query, AliasAs("pagination_token")] string? paginationToken, [Property(AppOnly)] bool appOnly, CancellationToken cancellationToken);

    [Post("/2/activity/subscriptions")]
    Task<IApiResponse<V2Data<XActivitySubscription>>> ActivitySubscribeAsync(
        [Body] XActivitySubscriptionRequest subscription, [Property(AsUser)] Clients.X.XUserToken bot, CancellationToken cancellationToken);

    [Delete("/2/activity/subscriptions/{subscriptionId}")]
    Task<IApiResponse<V2Data<XActivityDeleted>>> ActivityUnsubscribeAsync(string subscriptionId, [Property(AppOnly)] bool appOnly, CancellationToken cancellationToken);
}
