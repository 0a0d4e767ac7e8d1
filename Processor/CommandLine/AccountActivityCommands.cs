using System.CommandLine;
using System.Globalization;
using Microsoft.Extensions.Options;
using TwitterBot.Processor.AccountActivity;
using TwitterBot.Processor.Clients.X;
using TwitterBot.ServiceDefaults;

namespace TwitterBot.Processor.CommandLine;

/// <summary>
/// The X account's verbs: <c>webhooks</c>, <c>subscriptions</c>, <c>replay</c>, <c>reconcile</c> and
/// <c>doctor</c>. Services are built only when a verb runs, so <c>--help</c> needs no configuration.
/// </summary>
internal static class AccountActivityCommands
{
    public static IEnumerable<Command> All(Func<IServiceProvider> services) =>
        [Webhooks(services), Subscriptions(services), Replay(services), Reconcile(services), Doctor(services)];

    private static Command Webhooks(Func<IServiceProvider> services)
    {
        var list = new Command("list", "List the app's webhooks (every URL, not only ours); ours is marked *.");
        list.SetAction((parse, cancellationToken) => Run(parse, async (output, provider) =>
        {
            var configured = Options(provider).Api.WebhookUrl;
            var webhooks = await provider.GetRequiredService<XAccountActivityClient>().ListWebhooksAsync(cancellationToken);
            foreach (var webhook in webhooks)
            {
                var ours = configured is { Length: > 0 } && WebhookReconciler.SameUrl(webhook.Url, configured) ? "*" : " ";
                await output.WriteLineAsync($"{ours} {webhook.Id}\t{webhook.Url}\t{(webhook.Valid ? "valid" : "INVALID")}\t{webhook.Created}");
            }

            await output.WriteLineAsync($"{webhooks.Count} webhooks");
            return ExitCodes.Done;
        }, services));

        var register = new Command("register", "Register TwitterBot:Api:WebhookUrl when it is missing (re-validate it when invalid); X sends a CRC challenge to the Ingress.");
        register.SetAction((parse, cancellationToken) => Run(parse, async (output, provider) =>
        {
            var (webhook, change) = await provider.GetRequiredService<WebhookReconciler>().EnsureWebhookAsync(cancellationToken);
            await output.WriteLineAsync(change switch
            {
                WebhookChange.Registered => $"registered webhook {webhook.Id} for {webhook.Url}",
                WebhookChange.Revalidated => $"webhook {webhook.Id} for {webhook.Url} was invalid; X re-validated it",
                _ => $"webhook {webhook.Id} for {webhook.Url} is already registered and valid; nothing to do",
            });
            return ExitCodes.Done;
        }, services));

        var validateId = new Argument<string?>("webhook-id") { Description = "The webhook to re-validate; ours (TwitterBot:Api:WebhookUrl) when omitted.", Arity = ArgumentArity.ZeroOrOne };
        var validate = new Command("validate", "Ask X to send a new CRC challenge to the webhook (an invalid webhook becomes valid when the Ingress answers).") { validateId };
        validate.SetAction((parse, cancellationToken) => Run(parse, async (output, provider) =>
        {
            if ((parse.GetValue(validateId) ?? await RequireOurWebhookIdAsync(provider, output, cancellationToken)) is not { } id)
            {
                return ExitCodes.Failed;
            }

            await provider.GetRequiredService<XAccountActivityClient>().ValidateWebhookAsync(id, cancellationToken);
            await output.WriteLineAsync($"webhook {id} answered X's CRC challenge and is valid");
            return ExitCodes.Done;
        }, services));

        var deleteId = new Argument<string>("webhook-id") { Description = "The webhook to delete (see `webhooks list`). Its subscriptions go with it." };
        var delete = new Command("delete", "Delete one webhook, named by id: X stops sending its events.") { deleteId };
        delete.SetAction((parse, cancellationToken) => Run(parse, async (output, provider) =>
        {
            var id = parse.GetValue(deleteId)!;
            await provider.GetRequiredService<XAccountActivityClient>().DeleteWebhookAsync(id, cancellationToken);
            await output.WriteLineAsync($"deleted webhook {id}");
            return ExitCodes.Done;
        }, services));

        return new Command("webhooks", "The app's webhooks with X's Account Activity API.") { list, register, validate, delete };
    }

    private static Command Subscriptions(Func<IServiceProvider> services)
    {
        var list = new Command("list", "List the accounts subscribed to our webhook, and configured bots that are not.");
        list.SetAction((parse, cancellationToken) => Run(parse, async (output, provider) =>
        {
            if (await RequireOurWebhookIdAsync(provider, output, cancellationToken) is not { } webhookId)
            {
                return ExitCodes.Failed;
            }

            var subscribed = await provider.GetRequiredService<XAccountActivityClient>().ListSubscriptionsAsync(webhookId, cancellationToken);
            var bots = provider.GetRequiredService<BotAccounts>();
            foreach (var userId in subscribed)
            {
                await output.WriteLineAsync($"{userId}\t{(bots.Find(userId) is { } bot ? $"bot {bot.BotId}" : "not a configured bot")}");
            }

            foreach (var missing in Options(provider).Bots.Where(b => !subscribed.Contains(b.UserId!)))
            {
                await output.WriteLineAsync($"{missing.UserId}\tbot {missing.BotId}\tNOT SUBSCRIBED: run `subscriptions add {missing.UserId}`");
            }

            await output.WriteLineAsync($"{subscribed.Count} subscriptions on webhook {webhookId}");
            return ExitCodes.Done;
        }, services));

        var addBot = new Argument<string>("bot") { Description = "The configured bot's numeric X user id (its tokens in TwitterBot:Bots sign the request)." };
        var add = new Command("add", "Subscribe a configured bot to our webhook.") { addBot };
        add.SetAction((parse, cancellationToken) => Run(parse, async (output, provider) =>
        {
            var userId = parse.GetValue(addBot)!;
            if (provider.GetRequiredService<BotAccounts>().Find(userId) is not { } bot)
            {
                await output.WriteLineAsync($"No bot with UserId {userId} is configured in TwitterBot:Bots: X subscribes an account with its own tokens.");
                return ExitCodes.Invalid;
            }

            if (await RequireOurWebhookIdAsync(provider, output, cancellationToken) is not { } webhookId)
            {
                return ExitCodes.Failed;
            }

            await provider.GetRequiredService<XAccountActivityClient>().SubscribeAsync(webhookId, new XUserToken(bot.AccessToken!, bot.AccessSecret!), cancellationToken);
            await output.WriteLineAsync($"bot {userId} is subscribed to webhook {webhookId}");
            return ExitCodes.Done;
        }, services));

        var removeBot = new Argument<string>("bot") { Description = "The numeric X user id to unsubscribe (see `subscriptions list`)." };
        var remove = new Command("remove", "Unsubscribe an account from our webhook: X stops sending its events.") { removeBot };
        remove.SetAction((parse, cancellationToken) => Run(parse, async (output, provider) =>
        {
            var userId = parse.GetValue(removeBot)!;
            if (await RequireOurWebhookIdAsync(provider, output, cancellationToken) is not { } webhookId)
            {
                return ExitCodes.Failed;
            }

            await provider.GetRequiredService<XAccountActivityClient>().UnsubscribeAsync(webhookId, userId, cancellationToken);
            await output.WriteLineAsync($"{userId} is unsubscribed from webhook {webhookId}");
            return ExitCodes.Done;
        }, services));

        var count = new Command("count", "How many subscriptions the app has (every webhook), against its tier's limit.");
        count.SetAction((parse, cancellationToken) => Run(parse, async (output, provider) =>
        {
            var counted = await provider.GetRequiredService<XAccountActivityClient>().CountSubscriptionsAsync(cancellationToken);
            await output.WriteLineAsync(string.Create(CultureInfo.InvariantCulture,
                $"{counted.SubscriptionsCountAll} subscriptions ({counted.SubscriptionsCountDirectMessages} with Direct Messages)"));
            return ExitCodes.Done;
        }, services));

        return new Command("subscriptions", "Which accounts our webhook receives events for.") { list, add, remove, count };
    }

    private static Command Replay(Func<IServiceProvider> services)
    {
        var from = new Option<string>("--from") { Description = "Start of the window, UTC (e.g. 2026-11-20T08:00Z); at most 5 days ago.", Required = true };
        var to = new Option<string>("--to") { Description = "End of the window, UTC; at least 30 minutes ago.", Required = true };
        var replay = new Command("replay", "Ask X to re-deliver every event of a past window to our webhook (after an outage). Enterprise or v2 only.") { from, to };
        replay.SetAction((parse, cancellationToken) => Run(parse, async (output, provider) =>
        {
            if (!TryParseUtc(parse.GetValue(from)!, out var start) || !TryParseUtc(parse.GetValue(to)!, out var end))
            {
                await output.WriteLineAsync("--from and --to must be UTC times such as 2026-11-20T08:00Z.");
                return ExitCodes.Invalid;
            }

            if (ReplayWindow.Problem(start, end, provider.GetRequiredService<TimeProvider>().GetUtcNow()) is { } problem)
            {
                await output.WriteLineAsync(problem);
                return ExitCodes.Invalid;
            }

            if (await RequireOurWebhookIdAsync(provider, output, cancellationToken) is not { } webhookId)
            {
                return ExitCodes.Failed;
            }

            var job = await provider.GetRequiredService<XAccountActivityClient>().CreateReplayJobAsync(webhookId, start, end, cancellationToken);
            await output.WriteLineAsync($"replay job {job.JobId} created for {start:u} to {end:u} on webhook {webhookId}.");
            await output.WriteLineAsync("X re-delivers the events to the Ingress and reports the end as a replay_job_status event, which the Processor logs. Events already answered are not answered twice.");
            return ExitCodes.Done;
        }, services));
        return replay;
    }

    private static Command Reconcile(Func<IServiceProvider> services)
    {
        var reconcile = new Command("reconcile", "Do now what the Processor does at start: register or re-validate our webhook and subscribe every configured bot.");
        reconcile.SetAction((parse, cancellationToken) => Run(parse, async (output, provider) =>
        {
            var result = await provider.GetRequiredService<WebhookReconciler>().ReconcileAsync(cancellationToken);
            await output.WriteLineAsync($"webhook {result.Webhook.Id} for {result.Webhook.Url}: {result.Change.ToString().ToLowerInvariant()}");
            foreach (var userId in result.Subscribed)
            {
                await output.WriteLineAsync($"subscribed bot {userId}");
            }

            foreach (var userId in result.AlreadySubscribed)
            {
                await output.WriteLineAsync($"bot {userId} was already subscribed");
            }

            return ExitCodes.Done;
        }, services));
        return reconcile;
    }

    private static Command Doctor(Func<IServiceProvider> services)
    {
        var doctor = new Command("doctor", "Check credentials, app permissions, webhook, subscriptions, the Ingress's CRC at the public URL, the gateway and the broker; each problem with its fix.");
        doctor.SetAction((parse, cancellationToken) => Run(parse, async (output, provider) =>
        {
            var checks = await provider.GetRequiredService<AccountActivity.Doctor>().ExamineAsync(cancellationToken);
            foreach (var check in checks)
            {
                var mark = check.Outcome switch { CheckOutcome.Ok => " ok ", CheckOutcome.Warning => "warn", _ => "FAIL" };
                await output.WriteLineAsync($"[{mark}] {check.Name}: {check.Detail}");
                if (check.Fix is not null && check.Outcome != CheckOutcome.Ok)
                {
                    await output.WriteLineAsync($"       fix: {check.Fix}");
                }
            }

            var failed = checks.Count(c => c.Outcome == CheckOutcome.Failed);
            await output.WriteLineAsync(failed == 0 ? "All checks passed." : $"{failed} of {checks.Count} checks failed.");
            return failed == 0 ? ExitCodes.Done : ExitCodes.Failed;
        }, services));
        return doctor;
    }

    /// <summary>Runs a verb; X's refusals are printed as advice (exit 1), a missing key by name (exit 2).</summary>
    private static async Task<int> Run(ParseResult parse, Func<TextWriter, IServiceProvider, Task<int>> verb, Func<IServiceProvider> services)
    {
        var output = parse.InvocationConfiguration.Output;
        try
        {
            return await verb(output, services());
        }
        catch (XConfigurationException configuration)
        {
            await output.WriteLineAsync(configuration.Message);
            return ExitCodes.Invalid;
        }
        catch (Exception failure) when (failure is XApiException or HttpRequestException or TaskCanceledException or IngressNotAnsweringException or XOutcomeUnknownException)
        {
            await output.WriteLineAsync(XAdvice.For(failure));
            return ExitCodes.Failed;
        }
    }

    private static TwitterBotOptions Options(IServiceProvider provider) => provider.GetRequiredService<IOptions<TwitterBotOptions>>().Value;

    /// <summary>Our webhook's id (<c>TwitterBot:Api:WebhookUrl</c>), or null after telling the operator to register it.</summary>
    private static async Task<string?> RequireOurWebhookIdAsync(IServiceProvider provider, TextWriter output, CancellationToken cancellationToken)
    {
        var reconciler = provider.GetRequiredService<WebhookReconciler>();
        var id = (await reconciler.FindAsync(reconciler.WebhookUrl, cancellationToken))?.Id;
        if (id is null)
        {
            await output.WriteLineAsync("No webhook is registered for TwitterBot:Api:WebhookUrl: run `webhooks register` first.");
        }

        return id;
    }

    private static bool TryParseUtc(string text, out DateTimeOffset at) =>
        DateTimeOffset.TryParse(text, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal | DateTimeStyles.AdjustToUniversal, out at);
}

/// <summary>The commands' exit codes, for scripts.</summary>
public static class ExitCodes
{
    public const int Done = 0;

    /// <summary>X refused, something is unreachable, or <c>doctor</c> found a problem.</summary>
    public const int Failed = 1;

    /// <summary>Invalid usage or configuration: nothing was asked of X.</summary>
    public const int Invalid = 2;
}
