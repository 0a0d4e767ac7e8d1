using Microsoft.Extensions.Options;
using TwitterBot.Conventions.Accounts;
using TwitterBot.Processor.Clients.X;
using TwitterBot.Processor.DeadLetters;
using TwitterBot.Processor.Options;
using TwitterBot.ServiceDefaults;

namespace TwitterBot.Processor.XAccount;

public enum CheckOutcome
{
    Ok,
    Warning,
    Failed,
}

/// <summary>One line of the <c>doctor</c> report; <paramref name="Fix"/> says what to do when it is not OK.</summary>
public sealed record DoctorCheck(string Name, CheckOutcome Outcome, string Detail, string? Fix = null);

/// <summary>
/// Checks the whole chain an incoming DM travels, each link on its own: X accepts our credentials and lets
/// the app send DMs, the webhook is registered and valid, every bot is subscribed, the Ingress answers X's
/// CRC at the public URL, and the gateway and the broker are reachable; and the app's suspension and each bot's
/// last known quota, from the shared store. Reads only; changes nothing.
/// </summary>
public sealed class Doctor(
    XAccountActivityClient x,
    IngressCrcProbe ingress,
    HttpClient gateway,
    IOptions<TwitterBotOptions> options,
    IOptions<XChatOptions> xchat,
    XChat.XChatKeysCheck xchatKeys,
    IOptions<GatewayOptions> gatewayOptions,
    IOptions<RabbitMqOptions> rabbit,
    Quota.QuotaReport? quota = null)
{
    public async Task<IReadOnlyList<DoctorCheck>> ExamineAsync(CancellationToken cancellationToken)
    {
        var checks = new List<DoctorCheck> { Flavor() };
        var webhook = await CheckWebhookAsync(checks, cancellationToken);
        var activity = webhook is not null && x.Routes.Flavor == AccountActivityFlavor.ActivityApi
            ? await ListActivityAsync(checks, cancellationToken)
            : null;
        foreach (var bot in options.Value.Bots)
        {
            await CheckBotAsync(checks, bot, webhook, activity, cancellationToken);
        }

        if (quota is not null)
        {
            checks.AddRange(await quota.ChecksAsync(cancellationToken));
        }

        checks.Add(await CheckIngressAsync(cancellationToken));
        checks.Add(await CheckGatewayAsync(cancellationToken));
        checks.Add(await CheckBrokerAsync(cancellationToken));
        return checks;
    }

    private DoctorCheck Flavor() => x.Routes.Flavor switch
    {
        AccountActivityFlavor.ActivityApi => new("Subscriptions API", CheckOutcome.Ok,
            "X Activity API (TwitterBot:Api:Subscriptions ActivityApi): webhook at /2/webhooks, subscriptions at /2/activity/subscriptions, "
            + $"{string.Join(" and ", ActivitySubscriptions.DirectMessageEventTypes)} per bot"
            + (xchat.Value.Enabled ? $", {string.Join(" and ", ActivitySubscriptions.ChatEventTypes)} per XChat bot (TwitterBot:XChat:Bots)." : "; XChat off (TwitterBot:XChat:Enabled).")),
        var flavor => new("Subscriptions API", CheckOutcome.Ok,
            $"Account Activity API, {flavor} (TwitterBot:Api:Subscriptions AccountActivity; X marks it deprecated: TwitterBot:Api:Subscriptions ActivityApi with Version 2 moves to the X Activity API)."),
    };

    private async Task<IReadOnlyList<XActivitySubscription>?> ListActivityAsync(List<DoctorCheck> checks, CancellationToken cancellationToken)
    {
        try
        {
            return await x.ListActivitySubscriptionsAsync(cancellationToken);
        }
        catch (Exception failure) when (IsAnswer(failure))
        {
            checks.Add(new("X Activity subscriptions", CheckOutcome.Failed, "X refused to list the app's X Activity subscriptions.", XAdvice.For(failure)));
            return null;
        }
    }

    private async Task<XWebhook?> CheckWebhookAsync(List<DoctorCheck> checks, CancellationToken cancellationToken)
    {
        IReadOnlyList<XWebhook> registered;
        try
        {
            registered = await x.ListWebhooksAsync(cancellationToken);
            checks.Add(new("App credentials", CheckOutcome.Ok, $"X accepted the app's credentials; the app has {registered.Count} webhooks."));
        }
        catch (Exception failure) when (IsAnswer(failure))
        {
            checks.Add(new("App credentials", CheckOutcome.Failed, "X refused to list the app's webhooks.", XAdvice.For(failure)));
            return null;
        }

        if (options.Value.Api.WebhookUrl is not { Length: > 0 } url)
        {
            checks.Add(new("Webhook", CheckOutcome.Failed, "TwitterBot:Api:WebhookUrl is not set.", "Set it to the Ingress's public https address ending in /webhooks."));
            return null;
        }

        var webhook = registered.FirstOrDefault(w => WebhookReconciler.SameUrl(w.Url, url));
        checks.Add(webhook switch
        {
            null => new("Webhook", CheckOutcome.Failed, $"No webhook is registered for {url}" + (registered.Count > 0 ? $" (the app has: {string.Join(", ", registered.Select(w => w.Url))})." : "."),
                "Run `webhooks register` (the Processor also does at start unless Processor:Reconciliation:Enabled is false)."),
            { Valid: false } => new("Webhook", CheckOutcome.Failed, $"Webhook {webhook.Id} for {url} is marked invalid: X stopped sending events to it.",
                "Make sure the Ingress answers the CRC (see the Ingress line), then run `webhooks validate`."),
            _ => new("Webhook", CheckOutcome.Ok, $"Webhook {webhook.Id} for {url} is registered and valid."),
        });
        return webhook;
    }

    private async Task CheckBotAsync(
        List<DoctorCheck> checks, BotOptions bot, XWebhook? webhook, IReadOnlyList<XActivitySubscription>? activity, CancellationToken cancellationToken)
    {
        var name = $"Bot {bot.UserId}";
        var token = new XUserToken(bot.AccessToken!, bot.AccessSecret!);
        try
        {
            var account = await x.VerifyCredentialsAsync(token, cancellationToken);
            checks.Add(account.UserId == bot.UserId
                ? new($"{name} credentials", CheckOutcome.Ok, $"The tokens belong to @{account.ScreenName}.")
                : new($"{name} credentials", CheckOutcome.Failed, $"The tokens belong to @{account.ScreenName} ({account.UserId}), not to {bot.UserId}.",
                    "Set this bot's UserId to the account its tokens belong to, or the tokens of the right account."));
            checks.Add(account switch
            {
                { CanDirectMessage: true } => new($"{name} permissions", CheckOutcome.Ok, $"Access level {account.AccessLevel}."),
                { AccessLevel: null } => new($"{name} permissions", CheckOutcome.Warning, "X did not report the access level (x-access-level).", "Make sure the app has \"Read, Write and Direct Messages\"."),
                _ => new($"{name} permissions", CheckOutcome.Failed, $"Access level {account.AccessLevel}: the bot cannot send DMs.", XAdvice.AppPermissions),
            });
        }
        catch (Exception failure) when (IsAnswer(failure))
        {
            checks.Add(new($"{name} credentials", CheckOutcome.Failed, "X refused the bot's tokens.", XAdvice.For(failure)));
            return;
        }

        if (await xchatKeys.CheckAsync(bot.UserId!, token, cancellationToken) is { } keys)
        {
            checks.Add(keys);
        }

        if (webhook is null)
        {
            return;
        }

        if (x.Routes.Flavor == AccountActivityFlavor.ActivityApi)
        {
            if (activity is not null)
            {
                checks.Add(CheckActivity(bot.UserId!, webhook.Id, activity, ActivitySubscriptions.EventTypesFor(bot.UserId!, xchat.Value)));
            }

            return;
        }

        try
        {
            checks.Add(await x.IsSubscribedAsync(webhook.Id, token, cancellationToken)
                ? new($"{name} subscription", CheckOutcome.Ok, $"Subscribed to webhook {webhook.Id}.")
                : new($"{name} subscription", CheckOutcome.Failed, $"Not subscribed to webhook {webhook.Id}: its DMs are not delivered.", $"Run `subscriptions add {bot.UserId}`."));
        }
        catch (Exception failure) when (IsAnswer(failure))
        {
            checks.Add(new($"{name} subscription", CheckOutcome.Failed, "X refused to say whether the bot is subscribed.", XAdvice.For(failure)));
        }
    }

    /// <summary>Each of the bot's event types has a subscription of ours on our webhook; others for it are named, never counted as ours.</summary>
    private static DoctorCheck CheckActivity(string botUserId, string webhookId, IReadOnlyList<XActivitySubscription> activity, IReadOnlyList<string> eventTypes)
    {
        var name = $"Bot {botUserId} subscriptions";
        var problems = new List<string>();
        var notes = new List<string>();
        var found = new List<string>();
        foreach (var eventType in eventTypes)
        {
            var forBot = activity.Where(s => s.EventType == eventType && s.Filter?.UserId == botUserId).ToList();
            var foreign = forBot.Where(s => !ActivitySubscriptions.IsOurs(s)).Select(s => $"{s.SubscriptionId} tagged '{s.Tag}'").ToList();
            if (forBot.FirstOrDefault(s => ActivitySubscriptions.IsWanted(s, botUserId, eventType, webhookId)) is { } ours)
            {
                found.Add($"{eventType} ({ours.SubscriptionId})");
                if (foreign.Count > 0)
                {
                    notes.Add($"{eventType} also has subscriptions that are not ours ({string.Join(", ", foreign)})");
                }
            }
            else if (forBot.FirstOrDefault(s => s.Tag == ActivitySubscriptions.TagFor(botUserId)) is { } elsewhere)
            {
                problems.Add($"{eventType}: ours ({elsewhere.SubscriptionId}) delivers to {(elsewhere.WebhookId is { } other ? $"webhook {other}" : "the stream only")}, not to webhook {webhookId}");
            }
            else
            {
                problems.Add(foreign.Count > 0
                    ? $"{eventType}: only subscriptions that are not ours ({string.Join(", ", foreign)}), which reconciliation never manages"
                    : $"{eventType}: no subscription");
            }
        }

        return problems.Count > 0
            ? new(name, CheckOutcome.Failed, $"{string.Join("; ", problems)}: its DMs are not delivered as they should be.",
                $"Run `subscriptions add {botUserId}` (or `reconcile`); it creates what is missing, tagged {ActivitySubscriptions.TagFor(botUserId)}.")
            : notes.Count > 0
                ? new(name, CheckOutcome.Warning, $"{string.Join(", ", found)} on webhook {webhookId}; {string.Join("; ", notes)}.",
                    "Events may arrive twice (the Ingress answers each DM once); delete the other subscriptions if nothing else uses them.")
                : new(name, CheckOutcome.Ok, $"{string.Join(", ", found)} on webhook {webhookId}, tagged {ActivitySubscriptions.TagFor(botUserId)}.");
    }

    private async Task<DoctorCheck> CheckIngressAsync(CancellationToken cancellationToken)
    {
        if (options.Value.Api.WebhookUrl is not { Length: > 0 } url)
        {
            return new("Ingress", CheckOutcome.Failed, "TwitterBot:Api:WebhookUrl is not set, so the Ingress cannot be checked.", "Set it to the Ingress's public https address ending in /webhooks.");
        }

        var probe = await ingress.ChallengeAsync(url, cancellationToken);
        return probe.Answered
            ? new("Ingress", CheckOutcome.Ok, probe.Detail)
            : new("Ingress", CheckOutcome.Failed, probe.Detail,
                "Start the Ingress, route the public URL to its port 5756, and give both services the same TwitterBot:Auth:ConsumerSecret.");
    }

    private async Task<DoctorCheck> CheckGatewayAsync(CancellationToken cancellationToken)
    {
        var url = gatewayOptions.Value.Url!;
        try
        {
            using var response = await gateway.GetAsync(new Uri(url), cancellationToken);
            return (int)response.StatusCode >= 500
                ? new("Gateway", CheckOutcome.Warning, $"{url} answered {(int)response.StatusCode} {response.ReasonPhrase}.", "The gateway is reachable but failing; check the chatbot platform's status.")
                : new("Gateway", CheckOutcome.Ok, $"{url} answered {(int)response.StatusCode}.");
        }
        catch (Exception failure) when (failure is HttpRequestException or TaskCanceledException && !cancellationToken.IsCancellationRequested)
        {
            return new("Gateway", CheckOutcome.Failed, $"{url} could not be reached: {failure.Message}", "Check Gateway:Url and the network path to the chatbot platform.");
        }
    }

    private async Task<DoctorCheck> CheckBrokerAsync(CancellationToken cancellationToken)
    {
        var settings = rabbit.Value;
        var where = $"{string.Join(", ", settings.Nodes())} vhost {settings.VirtualHost}";
        try
        {
            await using var connection = await BrokerConnections.OpenAsync(settings, "twitterbot-doctor", cancellationToken);
            return new("RabbitMQ", CheckOutcome.Ok, $"Connected to {where}.");
        }
        catch (Exception failure) when (!cancellationToken.IsCancellationRequested)
        {
            return new("RabbitMQ", CheckOutcome.Failed, $"Could not connect to {where}: {failure.Message}", "Check Messaging:Rabbit:Hosts, Username, Password and VirtualHost, and that the broker runs.");
        }
    }

    /// <summary>An answer (or silence) from X worth reporting, rather than a bug of ours.</summary>
    private static bool IsAnswer(Exception failure) =>
        failure is XApiException or XConfigurationException or HttpRequestException or TaskCanceledException or System.Text.Json.JsonException;
}
