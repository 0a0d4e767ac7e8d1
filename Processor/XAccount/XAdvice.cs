using System.Net.Sockets;
using TwitterBot.Processor.Clients.X;

namespace TwitterBot.Processor.XAccount;

/// <summary>Turns what X (or the network) answered into what an operator should do about it.</summary>
public static class XAdvice
{
    public const string AppPermissions =
        "In the X developer portal set the app's permissions to \"Read, Write and Direct Messages\", then regenerate every bot's access token and secret "
        + "(TwitterBot:Bots:N:AccessToken/AccessSecret and TwitterBot:Auth:DefaultAccessToken/DefaultAccessSecret): tokens keep the permissions they were issued with.";

    /// <summary>One or two sentences: what went wrong, in X's own words where it gave some, and the fix.</summary>
    public static string For(Exception failure) => failure switch
    {
        XApiException x => For(x),
        XConfigurationException configuration => configuration.Message,
        HttpRequestException { InnerException: SocketException } or HttpRequestException { HttpRequestError: HttpRequestError.ConnectionError or HttpRequestError.NameResolutionError } =>
            $"X's API could not be reached ({failure.Message}). Check TwitterBot:Api:TwitterUrl and this machine's outbound network.",
        TaskCanceledException => "X's API did not answer in time. Try again; if it persists, check this machine's outbound network.",
        _ => failure.Message,
    };

    public static string For(XApiException failure)
    {
        var said = failure.Errors.Count == 0
            ? $"X answered {failure.StatusCode}"
            : $"X answered {failure.StatusCode}: {string.Join("; ", failure.Errors.Select(e => (e.Code == 0 ? e.Message : $"{e.Code} {e.Message}")?.TrimEnd('.')))}";
        var codes = failure.Errors.Select(e => e.Code).ToHashSet();
        var fix = codes switch
        {
            _ when IsSubscriptionLimit(failure) =>
                "The app has as many subscriptions as its plan allows (the X Activity API: 1,500 on self-serve plans, 75,000 on Enterprise). "
                + "List them with `subscriptions list`, remove those no longer needed (ours with `subscriptions remove <bot>`, others in the tool that made them), "
                + "or raise the plan's limit with X; then run `reconcile`.",
            _ when codes.Contains(214) =>
                "X could not validate the webhook, or the app already has as many webhooks as its tier allows. Make sure the Ingress answers "
                + "GET TwitterBot:Api:WebhookUrl?crc_token=… over public HTTPS, with the same TwitterBot:Auth:ConsumerSecret as the Processor "
                + "(run `doctor`); list the app's webhooks with `webhooks list` and delete one that is no longer used with `webhooks delete <id>`.",
            _ when codes.Contains(170) =>
                "A webhook must be registered before bots can subscribe: run `webhooks register` (or start the Processor with Processor:Reconciliation:Enabled true).",
            _ when codes.Contains(261) || failure.Errors.Any(e => e.Message?.Contains("write access", StringComparison.OrdinalIgnoreCase) == true)
                || failure.Errors.Any(e => e.Message?.Contains("write actions", StringComparison.OrdinalIgnoreCase) == true) =>
                "The app may not write or send Direct Messages. " + AppPermissions,
            _ when codes.Contains(93) =>
                "The token does not allow Direct Messages. " + AppPermissions,
            _ when codes.Contains(89) =>
                "The token expired or was revoked. For app-only calls (webhook lists, subscription lists and counts, Replay) regenerate the bearer token "
                + "in the developer portal and set TwitterBot:Auth:BearerToken; for a bot (the account removed the app or regenerated its tokens) authorize "
                + "the app again and set the new TwitterBot:Bots:N:AccessToken/AccessSecret (TwitterBot:Auth:DefaultAccessToken/DefaultAccessSecret for the app owner).",
            _ when codes.Contains(32) =>
                "X could not authenticate the request. Check TwitterBot:Auth:ConsumerKey and ConsumerSecret and the token's pair of access token and secret; "
                + "OAuth also fails when this machine's clock is off by more than a few minutes.",
            _ when codes.Contains(88) || failure.StatusCode == 429 =>
                "X's rate limit for this endpoint is exhausted; try again after it resets (15-minute windows).",
            _ when failure.StatusCode == 401 =>
                "X rejected the credentials. Check TwitterBot:Auth:BearerToken for app-only calls and the consumer key, secret and access tokens for the others.",
            _ when failure.StatusCode == 403 =>
                "X does not allow this app to call this endpoint: check that the app is attached to the Account Activity environment or product "
                + "that TwitterBot:Api:EnvName and TwitterBot:Api:Version name.",
            _ when failure.StatusCode >= 500 => "X is having trouble; try again in a few minutes.",
            _ => null,
        };

        return fix is null ? $"{said}." : $"{said}. {fix}";
    }

    /// <summary>
    /// X refused a subscription because the app's plan allows no more. docs.x.com documents the Account Activity
    /// API's reason (<c>SubscriptionLimitExceeded</c>, x-api/account-activity/quickstart) but not the X Activity
    /// API's answer, so both that reason and X's words "subscription limit" count.
    /// </summary>
    public static bool IsSubscriptionLimit(XApiException failure) => failure.Errors.Any(e =>
        e.Message is { } message
        && (message.Contains("SubscriptionLimitExceeded", StringComparison.OrdinalIgnoreCase)
            || message.Contains("subscription limit", StringComparison.OrdinalIgnoreCase)));
}
