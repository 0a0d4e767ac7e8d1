using TwitterBot.ServiceDefaults;

namespace TwitterBot.Processor.XAccount;

/// <summary>Which family of X's Account Activity endpoints the configuration selects.</summary>
public enum AccountActivityFlavor
{
    /// <summary><c>account_activity/all/{EnvName}/…</c>: <c>TwitterBot:Api:EnvName</c> is set.</summary>
    Premium,

    /// <summary><c>account_activity/webhooks…</c>: <c>TwitterBot:Api:EnvName</c> is empty.</summary>
    Enterprise,

    /// <summary><c>/2/webhooks</c> and <c>/2/account_activity/…</c>: <c>TwitterBot:Api:Version</c> is <c>2</c>.</summary>
    V2,
}

/// <summary>
/// The paths of one flavour, relative to <c>TwitterBot:Api:TwitterUrl</c> (v2 paths start at the host's root).
/// Who signs each call follows X's documentation: the app's bearer token for app-wide reads and v2 webhook
/// management, the app owner's user context to manage v1.1 webhooks, and each bot's own user context to
/// subscribe it.
/// </summary>
public sealed class AccountActivityRoutes
{
    private readonly string _env;

    public AccountActivityRoutes(TwitterApiOptions api)
    {
        Flavor = api.Version == TwitterApiOptions.V2 ? AccountActivityFlavor.V2
            : string.IsNullOrWhiteSpace(api.EnvName) ? AccountActivityFlavor.Enterprise
            : AccountActivityFlavor.Premium;
        _env = Uri.EscapeDataString(api.EnvName?.Trim() ?? "");
    }

    public AccountActivityFlavor Flavor { get; }

    public string Webhooks => Flavor switch
    {
        AccountActivityFlavor.Premium => $"account_activity/all/{_env}/webhooks.json",
        AccountActivityFlavor.Enterprise => "account_activity/webhooks.json",
        _ => "/2/webhooks",
    };

    public string Webhook(string webhookId) => Flavor switch
    {
        AccountActivityFlavor.Premium => $"account_activity/all/{_env}/webhooks/{Id(webhookId)}.json",
        AccountActivityFlavor.Enterprise => $"account_activity/webhooks/{Id(webhookId)}.json",
        _ => $"/2/webhooks/{Id(webhookId)}",
    };

    /// <summary>Subscribe (POST) or check (GET) the bot whose user context signs the request.</summary>
    public string Subscription(string webhookId) => Flavor switch
    {
        AccountActivityFlavor.Premium => $"account_activity/all/{_env}/subscriptions.json",
        AccountActivityFlavor.Enterprise => $"account_activity/webhooks/{Id(webhookId)}/subscriptions/all.json",
        _ => $"/2/account_activity/webhooks/{Id(webhookId)}/subscriptions/all",
    };

    public string SubscriptionList(string webhookId) => Flavor switch
    {
        AccountActivityFlavor.Premium => $"account_activity/all/{_env}/subscriptions/list.json",
        AccountActivityFlavor.Enterprise => $"account_activity/webhooks/{Id(webhookId)}/subscriptions/all/list.json",
        _ => $"/2/account_activity/webhooks/{Id(webhookId)}/subscriptions/all/list",
    };

    public string Unsubscribe(string webhookId, string userId) => Flavor switch
    {
        AccountActivityFlavor.Premium => $"account_activity/all/{_env}/subscriptions/{Id(userId)}.json",
        AccountActivityFlavor.Enterprise => $"account_activity/webhooks/{Id(webhookId)}/subscriptions/{Id(userId)}/all.json",
        _ => $"/2/account_activity/webhooks/{Id(webhookId)}/subscriptions/{Id(userId)}/all",
    };

    public string SubscriptionCount => Flavor switch
    {
        AccountActivityFlavor.Premium => "account_activity/all/subscriptions/count.json",
        AccountActivityFlavor.Enterprise => "account_activity/subscriptions/count.json",
        _ => "/2/account_activity/subscriptions/count",
    };

    /// <summary>Premium environments have no Replay; <c>null</c> then.</summary>
    public string? Replay(string webhookId, string fromDate, string toDate) => Flavor switch
    {
        AccountActivityFlavor.Enterprise => $"account_activity/replay/webhooks/{Id(webhookId)}/subscriptions/all.json?from_date={fromDate}&to_date={toDate}",
        AccountActivityFlavor.V2 => "/2/webhooks/replay",
        _ => null,
    };

    /// <summary>Whether managing webhooks (register, validate, delete) is signed by the app owner rather than the bearer token.</summary>
    public bool WebhooksNeedOwnerContext => Flavor != AccountActivityFlavor.V2;

    public const string VerifyCredentials = "account/verify_credentials.json?include_entities=false&skip_status=true";

    private static string Id(string id) => Uri.EscapeDataString(id);
}
