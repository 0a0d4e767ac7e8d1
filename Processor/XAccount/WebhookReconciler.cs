using Microsoft.Extensions.Options;
using TwitterBot.Conventions.Accounts;
using TwitterBot.Processor.Clients.X;
using TwitterBot.Processor.Options;

namespace TwitterBot.Processor.XAccount;

public enum WebhookChange
{
    Unchanged,
    Registered,
    Revalidated,
}

/// <param name="Subscribed">Bots subscribed by this run (with the X Activity API: bots given at least one subscription).</param>
/// <param name="AlreadySubscribed">Bots that were subscribed before it.</param>
/// <param name="Activity">With the X Activity API, each subscription created, found or deleted as a duplicate.</param>
public sealed record ReconciliationResult(
    XWebhook Webhook, WebhookChange Change, IReadOnlyList<string> Subscribed, IReadOnlyList<string> AlreadySubscribed, ActivityReconciliation? Activity = null);

/// <summary>
/// Brings X in line with the configuration: a valid webhook for <c>TwitterBot:Api:WebhookUrl</c>, and every
/// configured bot subscribed to it (with the X Activity API, <see cref="ActivitySubscriptions"/>). Only adds or
/// re-validates; never deletes, except an X Activity duplicate of its own. Idempotent, so every replica may run it
/// at once: when two register the same URL, the loser finds the winner's webhook.
/// </summary>
public sealed partial class WebhookReconciler(
    XAccountActivityClient x,
    ActivitySubscriptions activity,
    IngressCrcProbe ingress,
    IOptions<TwitterBotOptions> options,
    IOptions<ProcessorOptions> processor,
    ILogger<WebhookReconciler> logger)
{
    public string WebhookUrl => options.Value.Api.WebhookUrl is { Length: > 0 } url
        ? url
        : throw new XConfigurationException("TwitterBot:Api:WebhookUrl is not set: it must be the Ingress's public https address, ending in /webhooks.");

    public async Task<ReconciliationResult> ReconcileAsync(CancellationToken cancellationToken)
    {
        var (webhook, change) = await EnsureWebhookAsync(cancellationToken);
        if (x.Routes.Flavor == AccountActivityFlavor.ActivityApi)
        {
            var reconciled = await activity.EnsureAsync(webhook.Id, options.Value.Bots, cancellationToken);
            var gained = reconciled.Created.Select(s => s.Filter?.UserId).OfType<string>().ToHashSet(StringComparer.Ordinal);
            var bots = options.Value.Bots.Select(b => b.UserId!).ToList();
            return new ReconciliationResult(webhook, change, bots.Where(gained.Contains).ToList(), bots.Where(b => !gained.Contains(b)).ToList(), reconciled);
        }

        var subscribed = new List<string>();
        var already = new List<string>();
        foreach (var bot in options.Value.Bots)
        {
            var token = new XUserToken(bot.AccessToken!, bot.AccessSecret!);
            if (await x.IsSubscribedAsync(webhook.Id, token, cancellationToken))
            {
                already.Add(bot.UserId!);
                continue;
            }

            await x.SubscribeAsync(webhook.Id, token, cancellationToken);
            subscribed.Add(bot.UserId!);
            LogSubscribed(bot.UserId!, webhook.Id);
        }

        if (already.Count > 0)
        {
            LogAlreadySubscribed(already.Count, string.Join(", ", already), webhook.Id);
        }

        return new ReconciliationResult(webhook, change, subscribed, already);
    }

    /// <summary>The webhook registered for the configured URL, registered or re-validated when needed.</summary>
    public async Task<(XWebhook Webhook, WebhookChange Change)> EnsureWebhookAsync(CancellationToken cancellationToken)
    {
        var url = WebhookUrl;
        var existing = await FindAsync(url, cancellationToken);
        if (existing is { Valid: true })
        {
            LogUnchanged(existing.Id, url);
            return (existing, WebhookChange.Unchanged);
        }

        // X challenges the Ingress before it answers either call; wait until it can pass.
        await ingress.WaitUntilAnsweringAsync(url, processor.Value.Reconciliation.IngressWait, cancellationToken);
        if (existing is not null)
        {
            await x.ValidateWebhookAsync(existing.Id, cancellationToken);
            LogRevalidated(existing.Id, url);
            return (existing with { Valid = true }, WebhookChange.Revalidated);
        }

        try
        {
            var registered = await x.RegisterWebhookAsync(url, cancellationToken);
            LogRegistered(registered.Id, url);
            return (registered, WebhookChange.Registered);
        }
        catch (XApiException)
        {
            // Another replica may have registered it between our list and our register.
            var concurrent = await FindAsync(url, cancellationToken);
            if (concurrent is null)
            {
                throw;
            }

            LogUnchanged(concurrent.Id, url);
            return (concurrent, WebhookChange.Unchanged);
        }
    }

    /// <summary>The app's webhook for <paramref name="url"/>, if any; webhooks of other URLs are never touched.</summary>
    public async Task<XWebhook?> FindAsync(string url, CancellationToken cancellationToken) =>
        (await x.ListWebhooksAsync(cancellationToken)).FirstOrDefault(w => SameUrl(w.Url, url));

    public static bool SameUrl(string registered, string configured) =>
        string.Equals(registered.TrimEnd('/'), configured.TrimEnd('/'), StringComparison.OrdinalIgnoreCase);

    [LoggerMessage(LogLevel.Information, "Webhook {WebhookId} for {Url} is registered and valid.")]
    private partial void LogUnchanged(string webhookId, string url);

    [LoggerMessage(LogLevel.Information, "Registered webhook {WebhookId} for {Url}; X validated it with a CRC challenge.")]
    private partial void LogRegistered(string webhookId, string url);

    [LoggerMessage(LogLevel.Warning, "Webhook {WebhookId} for {Url} was marked invalid by X; re-validated it (X stops sending events to an invalid webhook).")]
    private partial void LogRevalidated(string webhookId, string url);

    [LoggerMessage(LogLevel.Information, "Subscribed bot {BotUserId} to webhook {WebhookId}.")]
    private partial void LogSubscribed(string botUserId, string webhookId);

    [LoggerMessage(LogLevel.Information, "{Count} bots already subscribed to webhook {WebhookId}: {BotUserIds}.")]
    private partial void LogAlreadySubscribed(int count, string botUserIds, string webhookId);
}
