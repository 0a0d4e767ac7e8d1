
using TwitterBot.Conventions.Accounts;

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

    /// <summary>
    /// The X Activity API: <c>/2/webhooks</c> like <see cref="V2"/>, subscriptions at <c>/2/activity/subscriptions</c>:
    /// <c>TwitterBot:Api:Subscriptions</c> is <c>ActivityApi</c>.
    /// </summary>
    ActivityApi,
}

/// <summary>
/// Which flavour the configuration selects, and its environment name for premium paths. The paths themselves,
/// and who signs each call, are declared on <see cref="IXAccountActivityApi"/>.
/// </summary>
public sealed class AccountActivityRoutes(TwitterApiOptions api)
{
    public AccountActivityFlavor Flavor { get; } =
        string.Equals(api.Subscriptions, TwitterApiOptions.ActivityApi, StringComparison.OrdinalIgnoreCase) ? AccountActivityFlavor.ActivityApi
        : api.Version == TwitterApiOptions.V2 ? AccountActivityFlavor.V2
        : string.IsNullOrWhiteSpace(api.EnvName) ? AccountActivityFlavor.Enterprise
        : AccountActivityFlavor.Premium;

    /// <summary><c>TwitterBot:Api:EnvName</c>, trimmed; Refit escapes it into the path.</summary>
    public string EnvName { get; } = api.EnvName?.Trim() ?? "";
}
