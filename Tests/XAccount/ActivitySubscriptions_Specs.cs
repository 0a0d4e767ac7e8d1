using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;
using TwitterBot.Tests.Support;

namespace TwitterBot.Tests.XAccount;

/// <summary>
/// With the X Activity API (<c>TwitterBot:Api:Subscriptions ActivityApi</c>): <c>reconcile</c> and
/// <c>subscriptions list|add|remove</c> against the simulator's <c>/2/activity/subscriptions</c>, whose webhook's
/// CRC challenges reach the real Ingress.
/// </summary>
[Category("Integration")]
public static class ActivitySubscriptions_Specs
{
    private static readonly string[] Bots = [TestCredentials.BotUserId, TestCredentials.SecondBotUserId];
    private static readonly string[] DirectMessageEvents = ["dm.received", "dm.sent"];

    /// <summary>The rig's v2 settings, subscribing through the X Activity API.</summary>
    public static Dictionary<string, string?> XaaSettings(AccountRig rig)
    {
        var settings = rig.Settings("v2");
        settings["TwitterBot:Api:Subscriptions"] = "ActivityApi";
        return settings;
    }

    /// <summary>(event type, user, webhook, tag) of every subscription the simulator holds with our tag.</summary>
    public static IEnumerable<(string EventType, string UserId, string? WebhookId, string? Tag)> Ours(AccountRig rig) =>
        rig.X.ActivitySubscriptions.Values.Where(s => s.Tag?.StartsWith("twitterbot:", StringComparison.Ordinal) == true)
            .Select(s => (s.EventType, s.UserId, s.WebhookId, s.Tag));

    public static IEnumerable<(string EventType, string UserId, string? WebhookId, string? Tag)> Wanted(string webhookId) =>
        from bot in Bots from type in DirectMessageEvents select (type, bot, (string?)webhookId, (string?)$"twitterbot:{bot}");

    /// <summary><see cref="XaaSettings"/> with XChat on for the first bot only (random keys: nothing here decrypts).</summary>
    public static Dictionary<string, string?> XChatSettings(AccountRig rig)
    {
        var settings = XaaSettings(rig);
        settings["TwitterBot:XChat:Enabled"] = "true";
        settings["TwitterBot:XChat:ConversationKeysSecret"] = Convert.ToBase64String(System.Security.Cryptography.RandomNumberGenerator.GetBytes(32));
        settings["TwitterBot:XChat:Bots:0:UserId"] = TestCredentials.BotUserId;
        settings["TwitterBot:XChat:Bots:0:PrivateKeysSecret"] = Convert.ToBase64String(System.Security.Cryptography.RandomNumberGenerator.GetBytes(64));
        settings["TwitterBot:XChat:Bots:0:KeyVersion"] = "1";
        return settings;
    }

    public class When_a_bot_speaks_XChat
    {
        private static readonly string[] ChatEvents = ["chat.received", "chat.sent"];

        [Test]
        public async Task Should_subscribe_it_to_chat_received_and_chat_sent_as_well_and_no_other_bot()
        {
            await using var rig = await AccountRig.StartAsync();

            var (exitCode, output) = await AccountRig.RunAsync(XChatSettings(rig), "reconcile");

            Assert.That(exitCode, Is.Zero, output);
            var webhook = rig.X.Webhooks.Values.Single(w => w.Url == rig.WebhookUrl);
            var chat = from type in ChatEvents select (type, TestCredentials.BotUserId, (string?)webhook.Id, (string?)$"twitterbot:{TestCredentials.BotUserId}");
            Assert.That(Ours(rig), Is.EquivalentTo(Wanted(webhook.Id).Concat(chat)));
            Assert.That(output, Does.Contain($"subscribed bot {TestCredentials.BotUserId} to chat.received"));
        }

        [Test]
        public async Task Should_change_nothing_the_second_time()
        {
            await using var rig = await AccountRig.StartAsync();
            var settings = XChatSettings(rig);
            await AccountRig.RunAsync(settings, "reconcile");
            var before = rig.X.ActivitySubscriptions.Values.ToList();

            var (exitCode, output) = await AccountRig.RunAsync(settings, "reconcile");

            Assert.That(exitCode, Is.Zero, output);
            Assert.That(rig.X.ActivitySubscriptions.Values, Is.EquivalentTo(before));
        }

        [Test]
        public async Task Should_have_the_doctor_list_them_and_flag_one_missing()
        {
            await using var rig = await AccountRig.StartAsync();
            var settings = XChatSettings(rig);
            await AccountRig.RunAsync(settings, "reconcile");
            var (_, healthy) = await AccountRig.RunAsync(settings, "doctor");
            var sent = rig.X.ActivitySubscriptions.Values.Single(s => s.UserId == TestCredentials.BotUserId && s.EventType == "chat.sent");
            rig.X.ActivitySubscriptions.TryRemove(sent.Id, out _);

            var (_, output) = await AccountRig.RunAsync(settings, "doctor");

            Assert.That(healthy, Does.Contain($"[ ok ] Bot {TestCredentials.BotUserId} subscriptions: dm.received (").And.Contain("chat.received (").And.Contain("chat.sent (")
                .And.Contain("chat.received and chat.sent per XChat bot"));
            Assert.That(healthy, Does.Contain($"[ ok ] Bot {TestCredentials.SecondBotUserId} subscriptions: dm.received ("));
            Assert.That(output, Does.Contain($"[FAIL] Bot {TestCredentials.BotUserId} subscriptions: chat.sent: no subscription"));
        }

        [Test]
        public async Task Should_refuse_to_start_for_an_XChat_bot_that_is_not_a_bot()
        {
            await using var rig = await AccountRig.StartAsync();
            var settings = XChatSettings(rig);
            settings["TwitterBot:XChat:Bots:0:UserId"] = "1111111111";

            var (exitCode, output) = await AccountRig.RunAsync(settings, "reconcile");

            Assert.That(exitCode, Is.Not.Zero);
            Assert.That(output, Does.Contain("TwitterBot:XChat:Bots:0:UserId must be the UserId of one of TwitterBot:Bots"));
            Assert.That(rig.X.ActivitySubscriptions.Values.Where(s => s.EventType.StartsWith("chat.", StringComparison.Ordinal)), Is.Empty);
        }
    }

    public class When_no_subscription_of_ours_exists
    {
        [Test]
        public async Task Should_create_each_bots_dm_received_and_dm_sent_on_our_webhook_and_leave_the_apps_others_alone()
        {
            await using var rig = await AccountRig.StartAsync();
            var other = rig.X.AddWebhook("https://elsewhere.example/hooks");
            var foreign = new[]
            {
                rig.X.AddActivitySubscription("profile.update.bio", "2244994945", other.Id, "someone else's"),
                rig.X.AddActivitySubscription("dm.received", TestCredentials.BotUserId, other.Id, "crm-export"),
                rig.X.AddActivitySubscription("dm.sent", TestCredentials.BotUserId, null, null),
            };

            var (exitCode, output) = await AccountRig.RunAsync(XaaSettings(rig), "reconcile");

            Assert.That(exitCode, Is.Zero, output);
            var webhook = rig.X.Webhooks.Values.Single(w => w.Url == rig.WebhookUrl);
            Assert.That(webhook.Valid, Is.True, "registered through /2/webhooks after the real Ingress answered X's CRC");
            Assert.That(Ours(rig), Is.EquivalentTo(Wanted(webhook.Id)));
            Assert.That(foreign, Is.All.Matches<FakeActivitySubscription>(s => rig.X.ActivitySubscriptions[s.Id] == s), "the app's other subscriptions untouched");
            Assert.That(rig.X.ActivitySubscriptions, Has.Count.EqualTo(7));
            Assert.That(rig.X.AccountRequests, Has.None.StartsWith("DELETE ").And.None.Contains("/account_activity/"));
            Assert.That(rig.X.RejectedRequests, Is.Empty, "created in each bot's own context, listed with the app's bearer token");
            Assert.That(output, Does.Contain($"subscribed bot {TestCredentials.SecondBotUserId} to dm.sent").And.Contain("3 subscriptions of the app are not ours"));
        }
    }

    public class When_reconciling_twice
    {
        [Test]
        public async Task Should_change_nothing_the_second_time()
        {
            await using var rig = await AccountRig.StartAsync();
            var settings = XaaSettings(rig);
            await AccountRig.RunAsync(settings, "reconcile");
            var before = rig.X.ActivitySubscriptions.Values.ToList();
            var callsBefore = rig.X.AccountRequests.Count;

            var (exitCode, output) = await AccountRig.RunAsync(settings, "reconcile");

            Assert.That(exitCode, Is.Zero, output);
            Assert.That(rig.X.AccountRequests.Skip(callsBefore), Is.Not.Empty.And.All.StartsWith("GET "), "a second run only reads");
            Assert.That(rig.X.ActivitySubscriptions.Values, Is.EquivalentTo(before));
            Assert.That(output, Does.Contain($"bot {TestCredentials.BotUserId} was already subscribed to dm.received"));
        }
    }

    public class When_two_replicas_reconcile_at_once
    {
        [Test]
        public async Task Should_leave_exactly_one_subscription_per_bot_and_event_type()
        {
            await using var rig = await AccountRig.StartAsync();
            var webhook = rig.X.AddWebhook(rig.WebhookUrl);
            // Hold the first creates until both runs have listed (and found nothing): each then creates all four.
            var arrived = 0;
            var bothListed = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
            rig.X.ActivityCreating = async () =>
            {
                if (Interlocked.Increment(ref arrived) >= 2)
                {
                    bothListed.TrySetResult();
                }

                await bothListed.Task.WaitAsync(TimeSpan.FromSeconds(30));
            };
            var settings = XaaSettings(rig);

            var runs = await Task.WhenAll(AccountRig.RunAsync(settings, "reconcile"), AccountRig.RunAsync(settings, "reconcile"));

            Assert.That(runs.Select(r => r.ExitCode), Is.All.Zero, string.Join("\n", runs.Select(r => r.Output)));
            Assert.That(rig.X.AccountRequests.Count(r => r == "POST /2/activity/subscriptions"), Is.EqualTo(8), "both runs created every subscription: the race happened");
            Assert.That(Ours(rig), Is.EquivalentTo(Wanted(webhook.Id)), "every duplicate deleted, one of each kept");
        }
    }

    public class When_the_plans_subscription_limit_is_reached
    {
        [Test]
        public async Task Should_refuse_with_Xs_words_and_the_fix()
        {
            await using var rig = await AccountRig.StartAsync();
            rig.X.AddWebhook(rig.WebhookUrl);
            rig.X.ActivitySubscriptionLimit = 2;
            rig.X.AddActivitySubscription("profile.update.bio", "2244994945", null, "someone else's");

            var (exitCode, output) = await AccountRig.RunAsync(XaaSettings(rig), "reconcile");

            Assert.That(exitCode, Is.EqualTo(1), output);
            Assert.That(output, Does.Contain("SubscriptionLimitExceeded").And.Contain("as many subscriptions as its plan allows").And.Contain("subscriptions list"));
            Assert.That(rig.X.ActivitySubscriptions, Has.Count.EqualTo(2), "nothing of the app's deleted to make room");
        }
    }

    public class When_the_Processor_starts_and_the_plans_limit_is_reached
    {
        // X does not document the status of XAA's refusal: a 429 must not pass for a rate limit worth waiting out.
        [TestCase(403)]
        [TestCase(429)]
        public async Task Should_log_one_error_with_the_fix_and_not_retry(int status)
        {
            await using var rig = await AccountRig.StartAsync();
            await using var broker = await RabbitMqVirtualHost.CreateAsync();
            rig.X.ActivitySubscriptionLimit = 0;
            rig.X.AccountOverride = call => call == "POST /2/activity/subscriptions" && status == 429
                ? Results.Json(new { title = "Too Many Requests", detail = "SubscriptionLimitExceeded: the application has reached its subscription limit." }, statusCode: 429)
                : null;
            await using var processor = await rig.StartProcessorAsync(broker, settings =>
            {
                settings["TwitterBot:Api:Version"] = "2";
                settings["TwitterBot:Api:Subscriptions"] = "ActivityApi";
            });

            using var deadline = new CancellationTokenSource(TimeSpan.FromSeconds(60));
            while (!processor.Logs.Messages(LogLevel.Error).Any(line => line.Contains("needs an operator", StringComparison.Ordinal)))
            {
                await Task.Delay(TimeSpan.FromMilliseconds(100), deadline.Token);
            }

            Assert.That(processor.Logs.Messages(LogLevel.Error).Single(line => line.Contains("needs an operator", StringComparison.Ordinal)),
                Does.Contain("SubscriptionLimitExceeded").And.Contain("as many subscriptions as its plan allows"));
            Assert.That(processor.Logs.Messages(LogLevel.Warning), Has.None.Contains("retrying in"), "gave up at once: waiting does not raise a plan's limit");
            Assert.That(rig.X.AccountRequests.Count(r => r == "POST /2/activity/subscriptions"), Is.EqualTo(1));
        }
    }

    public class When_an_operator_manages_one_bot
    {
        [Test]
        public async Task Should_add_list_and_remove_only_ours()
        {
            await using var rig = await AccountRig.StartAsync();
            var webhook = rig.X.AddWebhook(rig.WebhookUrl);
            var foreign = rig.X.AddActivitySubscription("dm.received", TestCredentials.SecondBotUserId, webhook.Id, "crm-export");
            var settings = XaaSettings(rig);

            var added = await AccountRig.RunAsync(settings, "subscriptions", "add", TestCredentials.SecondBotUserId);
            var listed = await AccountRig.RunAsync(settings, "subscriptions", "list");
            var removed = await AccountRig.RunAsync(settings, "subscriptions", "remove", TestCredentials.SecondBotUserId);

            Assert.That(added.ExitCode, Is.Zero, added.Output);
            Assert.That(listed.Output, Does.Contain($"  {foreign.Id}\tdm.received\tuser {TestCredentials.SecondBotUserId}")
                .And.Contain($"\tdm.sent\tuser {TestCredentials.SecondBotUserId}\twebhook {webhook.Id}\ttwitterbot:{TestCredentials.SecondBotUserId}")
                .And.Contain($"MISSING\tdm.received\tbot {TestCredentials.BotUserId}")
                .And.Contain("3 X Activity subscriptions, 2 ours"));
            Assert.That(removed.ExitCode, Is.Zero, removed.Output);
            Assert.That(removed.Output, Does.Contain("2 subscriptions deleted"));
            Assert.That(rig.X.ActivitySubscriptions.Values, Is.EqualTo(new[] { foreign }), "the subscription without our tag is never removed");
        }
    }
}
