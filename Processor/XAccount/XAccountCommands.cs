using System.CommandLine;
using System.Globalization;
using Microsoft.Extensions.Options;
using TwitterBot.Conventions.Accounts;
using TwitterBot.Processor.Clients.X;
using TwitterBot.Processor.CommandLine;
using TwitterBot.Processor.XAccount.Replay;
using TwitterBot.ServiceDefaults;

namespace TwitterBot.Processor.XAccount;

/// <summary>
/// The X account's verbs: <c>webhooks</c>, <c>subscriptions</c>, <c>replay</c>, <c>reconcile</c> and
/// <c>doctor</c>, run by the <see cref="VerbRunner"/>: services are built only when a verb runs, so <c>--help</c> needs no configuration.
/// </summary>
public static class XAccountCommands
{
    public static IEnumerable<Command> Create(VerbRunner runner) =>
        [Webhooks(runner), Subscriptions(runner), Replay(runner), Reconcile(runner), Doctor(runner)];

    private static Command Webhooks(VerbRunner runner)
    {
        var list = new Command("list", "List the app's webhooks (every URL, not only ours); ours is marked *.");
        runner.Runs(list, async (verb, cancellationToken) =>
        {
            var configured = Options(verb).Api.WebhookUrl;
            var webhooks = await verb.Get<XAccountActivityClient>().ListWebhooksAsync(cancellationToken);
            foreach (var webhook in webhooks)
            {
                var ours = configured is { Length: > 0 } && WebhookReconciler.SameUrl(webhook.Url, configured) ? "*" : " ";
                await verb.Output.WriteLineAsync($"{ours} {webhook.Id}\t{webhook.Url}\t{(webhook.Valid ? "valid" : "INVALID")}\t{webhook.Created}");
            }

            await verb.Output.WriteLineAsync($"{webhooks.Count} webhooks");
            return ExitCodes.Done;
        }, Explain);

        var register = new Command("register", "Register TwitterBot:Api:WebhookUrl when it is missing (re-validate it when invalid); X sends a CRC challenge to the Ingress.");
        runner.Runs(register, async (verb, cancellationToken) =>
        {
            var (webhook, change) = await verb.Get<WebhookReconciler>().EnsureWebhookAsync(cancellationToken);
            await verb.Output.WriteLineAsync(change switch
            {
                WebhookChange.Registered => $"registered webhook {webhook.Id} for {webhook.Url}",
                WebhookChange.Revalidated => $"webhook {webhook.Id} for {webhook.Url} was invalid; X re-validated it",
                _ => $"webhook {webhook.Id} for {webhook.Url} is already registered and valid; nothing to do",
            });
            return ExitCodes.Done;
        }, Explain);

        var validateId = new Argument<string?>("webhook-id") { Description = "The webhook to re-validate; ours (TwitterBot:Api:WebhookUrl) when omitted.", Arity = ArgumentArity.ZeroOrOne };
        var validate = new Command("validate", "Ask X to send a new CRC challenge to the webhook (an invalid webhook becomes valid when the Ingress answers).") { validateId };
        runner.Runs(validate, async (verb, cancellationToken) =>
        {
            if ((verb.Value(validateId) ?? await RequireOurWebhookIdAsync(verb, cancellationToken)) is not { } id)
            {
                return ExitCodes.Failed;
            }

            await verb.Get<XAccountActivityClient>().ValidateWebhookAsync(id, cancellationToken);
            await verb.Output.WriteLineAsync($"webhook {id} answered X's CRC challenge and is valid");
            return ExitCodes.Done;
        }, Explain);

        var deleteId = new Argument<string>("webhook-id") { Description = "The webhook to delete (see `webhooks list`). Its subscriptions go with it." };
        var delete = new Command("delete", "Delete one webhook, named by id: X stops sending its events.") { deleteId };
        runner.Runs(delete, async (verb, cancellationToken) =>
        {
            var id = verb.Value(deleteId)!;
            await verb.Get<XAccountActivityClient>().DeleteWebhookAsync(id, cancellationToken);
            await verb.Output.WriteLineAsync($"deleted webhook {id}");
            return ExitCodes.Done;
        }, Explain);

        return new Command("webhooks", "The app's webhooks with X's Account Activity API.") { list, register, validate, delete };
    }

    private static Command Subscriptions(VerbRunner runner)
    {
        var list = new Command("list", "List the accounts subscribed to our webhook, and configured bots that are not (X Activity API: every subscription of the app, ours marked *).");
        runner.Runs(list, async (verb, cancellationToken) =>
        {
            if (IsActivityApi(verb))
            {
                return await ListActivityAsync(verb, cancellationToken);
            }

            if (await RequireOurWebhookIdAsync(verb, cancellationToken) is not { } webhookId)
            {
                return ExitCodes.Failed;
            }

            var subscribed = await verb.Get<XAccountActivityClient>().ListSubscriptionsAsync(webhookId, cancellationToken);
            var bots = verb.Get<BotAccounts>();
            foreach (var userId in subscribed)
            {
                await verb.Output.WriteLineAsync($"{userId}\t{(bots.Find(userId) is { } bot ? $"bot {bot.BotId}" : "not a configured bot")}");
            }

            foreach (var missing in Options(verb).Bots.Where(b => !subscribed.Contains(b.UserId!)))
            {
                await verb.Output.WriteLineAsync($"{missing.UserId}\tbot {missing.BotId}\tNOT SUBSCRIBED: run `subscriptions add {missing.UserId}`");
            }

            await verb.Output.WriteLineAsync($"{subscribed.Count} subscriptions on webhook {webhookId}");
            return ExitCodes.Done;
        }, Explain);

        var addBot = new Argument<string>("bot") { Description = "The configured bot's numeric X user id (its tokens in TwitterBot:Bots sign the request)." };
        var add = new Command("add", "Subscribe a configured bot to our webhook (X Activity API: its dm.received and dm.sent subscriptions, tagged as ours).") { addBot };
        runner.Runs(add, async (verb, cancellationToken) =>
        {
            var userId = verb.Value(addBot)!;
            if (verb.Get<BotAccounts>().Find(userId) is not { } bot)
            {
                await verb.Output.WriteLineAsync($"No bot with UserId {userId} is configured in TwitterBot:Bots: X subscribes an account with its own tokens.");
                return ExitCodes.Invalid;
            }

            if (await RequireOurWebhookIdAsync(verb, cancellationToken) is not { } webhookId)
            {
                return ExitCodes.Failed;
            }

            if (IsActivityApi(verb))
            {
                var configured = Options(verb).Bots.Single(b => b.UserId == userId);
                await WriteActivityAsync(verb, await verb.Get<ActivitySubscriptions>().EnsureAsync(webhookId, [configured], cancellationToken));
                return ExitCodes.Done;
            }

            await verb.Get<XAccountActivityClient>().SubscribeAsync(webhookId, new XUserToken(bot.AccessToken!, bot.AccessSecret!), cancellationToken);
            await verb.Output.WriteLineAsync($"bot {userId} is subscribed to webhook {webhookId}");
            return ExitCodes.Done;
        }, Explain);

        var removeBot = new Argument<string>("bot") { Description = "The numeric X user id to unsubscribe (see `subscriptions list`)." };
        var remove = new Command("remove", "Unsubscribe an account from our webhook: X stops sending its events (X Activity API: deletes only the subscriptions tagged as ours).") { removeBot };
        runner.Runs(remove, async (verb, cancellationToken) =>
        {
            var userId = verb.Value(removeBot)!;
            if (IsActivityApi(verb))
            {
                var removed = await verb.Get<ActivitySubscriptions>().RemoveAsync(userId, cancellationToken);
                foreach (var subscription in removed)
                {
                    await verb.Output.WriteLineAsync($"deleted subscription {subscription.SubscriptionId} ({subscription.EventType} of {userId})");
                }

                await verb.Output.WriteLineAsync(removed.Count == 0
                    ? $"no subscription tagged {ActivitySubscriptions.TagFor(userId)} exists; subscriptions without our tag are never removed"
                    : $"{userId} is unsubscribed: {removed.Count} subscriptions deleted");
                return ExitCodes.Done;
            }

            if (await RequireOurWebhookIdAsync(verb, cancellationToken) is not { } webhookId)
            {
                return ExitCodes.Failed;
            }

            await verb.Get<XAccountActivityClient>().UnsubscribeAsync(webhookId, userId, cancellationToken);
            await verb.Output.WriteLineAsync($"{userId} is unsubscribed from webhook {webhookId}");
            return ExitCodes.Done;
        }, Explain);

        var count = new Command("count", "How many subscriptions the app has (every webhook), against its tier's limit.");
        runner.Runs(count, async (verb, cancellationToken) =>
        {
            if (IsActivityApi(verb))
            {
                var all = await verb.Get<XAccountActivityClient>().ListActivitySubscriptionsAsync(cancellationToken);
                await verb.Output.WriteLineAsync(string.Create(CultureInfo.InvariantCulture,
                    $"{all.Count} X Activity subscriptions ({all.Count(ActivitySubscriptions.IsOurs)} ours)"));
                return ExitCodes.Done;
            }

            var counted = await verb.Get<XAccountActivityClient>().CountSubscriptionsAsync(cancellationToken);
            await verb.Output.WriteLineAsync(string.Create(CultureInfo.InvariantCulture,
                $"{counted.SubscriptionsCountAll} subscriptions ({counted.SubscriptionsCountDirectMessages} with Direct Messages)"));
            return ExitCodes.Done;
        }, Explain);

        return new Command("subscriptions", "Which accounts our webhook receives events for.") { list, add, remove, count };
    }

    private static Command Replay(VerbRunner runner)
    {
        var from = new Option<string?>("--from") { Description = "Start of the window, UTC (e.g. 2026-11-20T08:00Z): at most 5 days ago (Account Activity), 24 hours (X Activity API)." };
        var to = new Option<string?>("--to") { Description = "End of the window, UTC: at least 30 minutes ago (Account Activity), not in the future (X Activity API)." };
        var recoverFrom = new Option<string?>("--recover-from")
        {
            Description = "Instead of Replay: read each bot's DM history on X back to this UTC time (at most 30 days ago) and publish every DM a person sent since, as the Ingress would. Already answered DMs are not answered again.",
        };
        var maxPages = new Option<int>("--max-pages") { Description = "With --recover-from: at most this many history pages (one X call each) per bot.", DefaultValueFactory = _ => 5 };
        var dryRun = new Option<bool>("--dry-run") { Description = "With --recover-from: print how many events would be fetched and published per bot, and publish nothing." };
        var connectTimeout = new Option<int>("--connect-timeout")
        {
            Description = "With --recover-from: how many seconds RabbitMQ may take to accept the connection before the recovery gives up, having published nothing (1-300).",
            DefaultValueFactory = _ => (int)RecoveryPublisher.DefaultConnectTimeout.TotalSeconds,
        };
        var replay = new Command("replay",
            "Ask X to re-deliver every event of a past window to our webhook (after an outage), through the flavour's Replay (enterprise, v2, X Activity API; not premium); "
            + "or, with --recover-from, fill an older gap from each bot's DM history.") { from, to, recoverFrom, maxPages, dryRun, connectTimeout };
        runner.Runs(replay, async (verb, cancellationToken) =>
        {
            if (verb.Value(recoverFrom) is { } since)
            {
                return await RecoverAsync(verb, since, verb.Value(maxPages), verb.Value(dryRun), verb.Value(connectTimeout), cancellationToken);
            }

            if (verb.Value(from) is not { } fromText || verb.Value(to) is not { } toText)
            {
                await verb.Output.WriteLineAsync("Give the window to replay with --from and --to, or --recover-from <time> to recover from the DM history.");
                return ExitCodes.Invalid;
            }

            if (!TryParseUtc(fromText, out var start) || !TryParseUtc(toText, out var end))
            {
                await verb.Output.WriteLineAsync("--from and --to must be UTC times such as 2026-11-20T08:00Z.");
                return ExitCodes.Invalid;
            }

            var client = verb.Get<XReplayClient>();
            if (ReplayWindow.Problem(client.Flavor, start, end, verb.Get<TimeProvider>().GetUtcNow()) is { } problem)
            {
                await verb.Output.WriteLineAsync(problem);
                return ExitCodes.Invalid;
            }

            if (await RequireOurWebhookIdAsync(verb, cancellationToken) is not { } webhookId)
            {
                return ExitCodes.Failed;
            }

            var job = await client.CreateReplayJobAsync(webhookId, start, end, cancellationToken);
            await verb.Output.WriteLineAsync($"replay job {job.JobId} created for {start:u} to {end:u} on webhook {webhookId} ({client.Endpoint}).");
            await verb.Output.WriteLineAsync("X re-delivers the events to the Ingress and reports the end as a replay_job_status event, which the Processor logs. Events already answered are not answered twice.");
            return ExitCodes.Done;
        }, Explain);
        return replay;
    }

    /// <summary><c>replay --recover-from</c>: each bot's DM history back to the time, published as the Ingress would (or only counted).</summary>
    private static async Task<int> RecoverAsync(VerbContext verb, string sinceText, int maxPages, bool dryRun, int connectTimeoutSeconds, CancellationToken cancellationToken)
    {
        if (!TryParseUtc(sinceText, out var since))
        {
            await verb.Output.WriteLineAsync("--recover-from must be a UTC time such as 2026-11-20T08:00Z.");
            return ExitCodes.Invalid;
        }

        if (DirectMessageRecovery.Problem(since, maxPages, connectTimeoutSeconds, verb.Get<TimeProvider>().GetUtcNow()) is { } problem)
        {
            await verb.Output.WriteLineAsync(problem);
            return ExitCodes.Invalid;
        }

        var recovery = verb.Get<DirectMessageRecovery>();
        var bots = await recovery.FetchAsync(since, maxPages, cancellationToken);
        foreach (var bot in bots)
        {
            await verb.Output.WriteLineAsync(string.Create(CultureInfo.InvariantCulture,
                $"bot {bot.BotId} ({bot.BotUserId}): {bot.Calls} calls to {recovery.Endpoint}, {bot.Fetched} events fetched, {bot.Missed.Count} DMs from people since {since:u} {(dryRun ? "would be published" : "to publish")}"));
            if (!bot.Complete)
            {
                await verb.Output.WriteLineAsync(
                    $"  --max-pages {maxPages} stopped before {since:u} (read back to {bot.Oldest:u}): older DMs of this bot are not recovered; run again with more pages.");
            }
        }

        var missed = bots.SelectMany(b => b.Missed).OrderBy(m => m.Message.CreatedAt).ToList();
        var calls = bots.Sum(b => b.Calls);
        await verb.Output.WriteLineAsync(string.Create(CultureInfo.InvariantCulture,
            $"{calls} calls to X in all (at most {maxPages} per bot, {maxPages * bots.Count} for {bots.Count} bots): X bills reads per call, see your plan's price."));
        if (dryRun)
        {
            await verb.Output.WriteLineAsync($"dry run: {missed.Count} DMs would be published; nothing was published.");
            return ExitCodes.Done;
        }

        var published = await verb.Get<RecoveryPublisher>().PublishAsync(missed, TimeSpan.FromSeconds(connectTimeoutSeconds), cancellationToken);
        await verb.Output.WriteLineAsync($"published {published} DMs (confirmed by RabbitMQ); the Processor answers those not answered yet, once each.");
        return bots.All(b => b.Complete) ? ExitCodes.Done : ExitCodes.Failed;
    }

    private static Command Reconcile(VerbRunner runner)
    {
        var reconcile = new Command("reconcile", "Do now what the Processor does at start: register or re-validate our webhook and subscribe every configured bot.");
        runner.Runs(reconcile, async (verb, cancellationToken) =>
        {
            var result = await verb.Get<WebhookReconciler>().ReconcileAsync(cancellationToken);
            await verb.Output.WriteLineAsync($"webhook {result.Webhook.Id} for {result.Webhook.Url}: {result.Change.ToString().ToLowerInvariant()}");
            if (result.Activity is { } activity)
            {
                await WriteActivityAsync(verb, activity);
                return ExitCodes.Done;
            }
            foreach (var userId in result.Subscribed)
            {
                await verb.Output.WriteLineAsync($"subscribed bot {userId}");
            }

            foreach (var userId in result.AlreadySubscribed)
            {
                await verb.Output.WriteLineAsync($"bot {userId} was already subscribed");
            }

            return ExitCodes.Done;
        }, Explain);
        return reconcile;
    }

    private static Command Doctor(VerbRunner runner)
    {
        var doctor = new Command("doctor", "Check credentials, app permissions, webhook, subscriptions, the Ingress's CRC at the public URL, the gateway and the broker; each problem with its fix.");
        runner.Runs(doctor, async (verb, cancellationToken) =>
        {
            var checks = await verb.Get<Doctor>().ExamineAsync(cancellationToken);
            foreach (var check in checks)
            {
                var mark = check.Outcome switch { CheckOutcome.Ok => " ok ", CheckOutcome.Warning => "warn", _ => "FAIL" };
                await verb.Output.WriteLineAsync($"[{mark}] {check.Name}: {check.Detail}");
                if (check.Fix is not null && check.Outcome != CheckOutcome.Ok)
                {
                    await verb.Output.WriteLineAsync($"       fix: {check.Fix}");
                }
            }

            var failed = checks.Count(c => c.Outcome == CheckOutcome.Failed);
            await verb.Output.WriteLineAsync(failed == 0 ? "All checks passed." : $"{failed} of {checks.Count} checks failed.");
            return failed == 0 ? ExitCodes.Done : ExitCodes.Failed;
        }, Explain);
        return doctor;
    }

    /// <summary>X's refusals and silences as advice (exit 1); a missing key by name (exit 2).</summary>
    private static VerbFailure? Explain(Exception failure) => failure switch
    {
        XConfigurationException configuration => new(ExitCodes.Invalid, configuration.Message),
        XApiException or HttpRequestException or TaskCanceledException or IngressNotAnsweringException or XOutcomeUnknownException => new(ExitCodes.Failed, XAdvice.For(failure)),
        _ => null,
    };

    private static TwitterBotOptions Options(VerbContext verb) => verb.Get<IOptions<TwitterBotOptions>>().Value;

    private static bool IsActivityApi(VerbContext verb) => verb.Get<XAccountActivityClient>().Routes.Flavor == AccountActivityFlavor.ActivityApi;

    private static async Task<int> ListActivityAsync(VerbContext verb, CancellationToken cancellationToken)
    {
        var reconciler = verb.Get<WebhookReconciler>();
        var webhookId = (await reconciler.FindAsync(reconciler.WebhookUrl, cancellationToken))?.Id;
        var all = await verb.Get<XAccountActivityClient>().ListActivitySubscriptionsAsync(cancellationToken);
        foreach (var s in all)
        {
            var ours = ActivitySubscriptions.IsOurs(s) ? "*" : " ";
            await verb.Output.WriteLineAsync($"{ours} {s.SubscriptionId}	{s.EventType}	user {s.Filter?.UserId}	webhook {s.WebhookId ?? "(stream)"}	{s.Tag}");
        }

        foreach (var bot in Options(verb).Bots)
        {
            foreach (var eventType in ActivitySubscriptions.EventTypesFor(bot.UserId!, verb.Get<IOptions<TwitterBot.Processor.Options.XChatOptions>>().Value).Where(type => webhookId is null || !all.Any(s => ActivitySubscriptions.IsWanted(s, bot.UserId!, type, webhookId))))
            {
                await verb.Output.WriteLineAsync($"  MISSING	{eventType}	bot {bot.UserId}	run `subscriptions add {bot.UserId}`");
            }
        }

        var where = webhookId is null ? "; no webhook is registered for TwitterBot:Api:WebhookUrl: run `webhooks register`" : $", on webhook {webhookId}";
        await verb.Output.WriteLineAsync(string.Create(CultureInfo.InvariantCulture,
            $"{all.Count} X Activity subscriptions, {all.Count(ActivitySubscriptions.IsOurs)} ours (tagged {ActivitySubscriptions.TagPrefix}<bot>){where}"));
        return ExitCodes.Done;
    }

    private static async Task WriteActivityAsync(VerbContext verb, ActivityReconciliation activity)
    {
        foreach (var s in activity.Created)
        {
            await verb.Output.WriteLineAsync($"subscribed bot {s.Filter?.UserId} to {s.EventType}: subscription {s.SubscriptionId}");
        }

        foreach (var s in activity.Present)
        {
            await verb.Output.WriteLineAsync($"bot {s.Filter?.UserId} was already subscribed to {s.EventType}: subscription {s.SubscriptionId}");
        }

        foreach (var id in activity.RemovedDuplicates)
        {
            await verb.Output.WriteLineAsync($"deleted subscription {id}, a duplicate of ours");
        }

        if (activity.Foreign > 0)
        {
            await verb.Output.WriteLineAsync(string.Create(CultureInfo.InvariantCulture,
                $"{activity.Foreign} subscriptions of the app are not ours (no {ActivitySubscriptions.TagPrefix} tag): left as they are"));
        }
    }

    /// <summary>Our webhook's id (<c>TwitterBot:Api:WebhookUrl</c>), or null after telling the operator to register it.</summary>
    private static async Task<string?> RequireOurWebhookIdAsync(VerbContext verb, CancellationToken cancellationToken)
    {
        var reconciler = verb.Get<WebhookReconciler>();
        var id = (await reconciler.FindAsync(reconciler.WebhookUrl, cancellationToken))?.Id;
        if (id is null)
        {
            await verb.Output.WriteLineAsync("No webhook is registered for TwitterBot:Api:WebhookUrl: run `webhooks register` first.");
        }

        return id;
    }

    private static bool TryParseUtc(string text, out DateTimeOffset at) =>
        DateTimeOffset.TryParse(text, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal | DateTimeStyles.AdjustToUniversal, out at);
}
