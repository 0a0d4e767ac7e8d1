using Npgsql;
using TwitterBot.Processor.Clients.X;
using TwitterBot.Processor.Conversations;
using TwitterBot.Tests.Support;

namespace TwitterBot.Tests.XAccount;

/// <summary><c>doctor</c> against a fake X, the real Ingress on loopback, a fake gateway and a real RabbitMQ.</summary>
[Category("Integration")]
public static class Doctor_Specs
{
    public class When_everything_is_set_up
    {
        [Test]
        public async Task Should_pass_every_check_and_exit_0()
        {
            await using var rig = await AccountRig.StartAsync();
            await using var broker = await RabbitMqVirtualHost.CreateAsync();
            await using var gateway = new FakeGateway();
            await gateway.StartAsync();
            await using var store = await PostgresDatabase.CreateAsync(); // its own: doctor reads the quota there
            var settings = rig.Settings("enterprise");
            settings["Gateway:Url"] = gateway.BaseAddress.ToString();
            settings["Messaging:Rabbit:VirtualHost"] = broker.Name;
            settings["Processor:Store:ConnectionString"] = store.ConnectionString;
            await AccountRig.RunAsync(settings, "reconcile");

            var (exitCode, output) = await AccountRig.RunAsync(settings, "doctor");

            Assert.That(exitCode, Is.Zero, output);
            Assert.That(output.Split('\n', StringSplitOptions.RemoveEmptyEntries).SkipLast(1), Is.All.StartsWith("[ ok ]"));
            Assert.That(output, Does.Contain("[ ok ] App credentials")
                .And.Contain($"[ ok ] Bot {TestCredentials.BotUserId} permissions: Access level read-write-directmessages.")
                .And.Contain($"[ ok ] Bot {TestCredentials.SecondBotUserId} subscription")
                .And.Contain("[ ok ] Ingress: GET").And.Contain("[ ok ] Gateway").And.Contain("[ ok ] RabbitMQ")
                .And.Contain("All checks passed."));
            Assert.That(output, Does.Not.Contain(TestCredentials.BotAccessSecret).And.Not.Contain(TestCredentials.BearerToken), "no secret is printed");
        }
    }

    public class When_much_is_wrong
    {
        [Test]
        public async Task Should_report_each_problem_with_its_fix_and_exit_1()
        {
            await using var rig = await AccountRig.StartAsync(ingressConsumerSecret: "a-different-secret");
            var webhook = rig.X.AddWebhook(rig.WebhookUrl, valid: false);
            rig.X.Subscriptions[webhook.Id][TestCredentials.BotUserId] = true;
            rig.X.AccessLevel = "read-write";
            var settings = rig.Settings("enterprise");
            settings["Gateway:Url"] = "http://127.0.0.1:9/";
            settings["Messaging:Rabbit:Hosts:0"] = "127.0.0.1:9";

            var (exitCode, output) = await AccountRig.RunAsync(settings, "doctor");

            Assert.That(exitCode, Is.EqualTo(1));
            Assert.That(output, Does.Contain("[ ok ] App credentials")
                .And.Contain($"[FAIL] Webhook: Webhook {webhook.Id} for {rig.WebhookUrl} is marked invalid").And.Contain("run `webhooks validate`")
                .And.Contain($"[FAIL] Bot {TestCredentials.BotUserId} permissions: Access level read-write: the bot cannot send DMs.").And.Contain("regenerate every bot's access token")
                .And.Contain($"[ ok ] Bot {TestCredentials.BotUserId} subscription")
                .And.Contain($"[FAIL] Bot {TestCredentials.SecondBotUserId} subscription").And.Contain($"Run `subscriptions add {TestCredentials.SecondBotUserId}`")
                .And.Contain("[FAIL] Ingress: GET").And.Contain("response_token that does not match")
                .And.Contain("[FAIL] Gateway: http://127.0.0.1:9/ could not be reached").And.Contain("Check Gateway:Url")
                .And.Contain("[FAIL] RabbitMQ").And.Contain("Check Messaging:Rabbit:Hosts"));
        }

        [Test]
        public async Task Should_say_which_credentials_X_refused()
        {
            await using var rig = await AccountRig.StartAsync();
            var settings = rig.Settings("enterprise");
            settings["TwitterBot:Auth:BearerToken"] = "revoked-bearer";
            settings["TwitterBot:Bots:1:AccessSecret"] = "not-the-secret";

            var (exitCode, output) = await AccountRig.RunAsync(settings, "doctor");

            Assert.That(exitCode, Is.EqualTo(1));
            Assert.That(output, Does.Contain("[FAIL] App credentials: X refused to list the app's webhooks.").And.Contain("89 Invalid or expired token")
                .And.Contain($"[ ok ] Bot {TestCredentials.BotUserId} credentials")
                .And.Contain($"[FAIL] Bot {TestCredentials.SecondBotUserId} credentials: X refused the bot's tokens.").And.Contain("32 Could not authenticate you"));
        }
    }

    public class When_X_has_refused_the_app_and_reported_quota
    {
        [Test]
        public async Task Should_show_the_suspension_with_its_fix_and_each_bots_last_known_windows()
        {
            await using var rig = await AccountRig.StartAsync();
            await using var store = await PostgresDatabase.CreateAsync();
            await using var source = NpgsqlDataSource.Create(store.ConnectionString);
            await new PostgresConversationStorage(source, Microsoft.Extensions.Options.Options.Create(new ServiceDefaults.RabbitMqOptions())).EnsureSchemaAsync(CancellationToken.None);
            var throttles = new PostgresBotThrottles(source);
            var now = DateTimeOffset.UtcNow;
            var later = DateTimeOffset.FromUnixTimeSeconds(now.AddMinutes(10).ToUnixTimeSeconds());
            await throttles.SuspendAsync("X answered 402: the app is out of credits", now, now.AddMinutes(5), CancellationToken.None);
            await throttles.RecordQuotaAsync(TestCredentials.BotUserId, [new XQuotaWindow(XQuota.UserWindow, 15, 0, later), new XQuotaWindow(XQuota.App24HourWindow, 1440, 1200, later)], now, CancellationToken.None);
            await throttles.RecordQuotaAsync(TestCredentials.SecondBotUserId, [new XQuotaWindow(XQuota.UserWindow, 15, 9, later)], now, CancellationToken.None);
            var settings = rig.Settings("enterprise");
            settings["Processor:Store:ConnectionString"] = store.ConnectionString;

            var (exitCode, output) = await AccountRig.RunAsync(settings, "doctor");

            Assert.That(exitCode, Is.EqualTo(1), output);
            Assert.That(output, Does.Contain("[FAIL] App sending: X answered 402: the app is out of credits").And.Contain("fix: Top up the app's credits")
                .And.Contain($"[warn] Bot {TestCredentials.BotUserId} quota: app_24h 1200 of 1440 left, resets {later:O}; endpoint 0 of 15 left, resets {later:O}")
                .And.Contain($"[ ok ] Bot {TestCredentials.SecondBotUserId} quota: endpoint 9 of 15 left"));
        }

        [Test]
        public async Task Should_say_nothing_is_recorded_on_a_store_no_Processor_has_used()
        {
            await using var rig = await AccountRig.StartAsync();
            await using var store = await PostgresDatabase.CreateAsync();
            var settings = rig.Settings("enterprise");
            settings["Processor:Store:ConnectionString"] = store.ConnectionString;

            var (_, output) = await AccountRig.RunAsync(settings, "doctor");

            Assert.That(output, Does.Contain("[ ok ] Quota: Nothing recorded yet").And.Not.Contain("App sending"));
        }
    }

    public class When_the_X_Activity_API_is_in_use
    {
        [Test]
        public async Task Should_say_so_and_pass_once_every_bot_has_both_subscriptions_of_ours_on_our_webhook()
        {
            await using var rig = await AccountRig.StartAsync();
            await using var broker = await RabbitMqVirtualHost.CreateAsync();
            await using var gateway = new FakeGateway();
            await gateway.StartAsync();
            await using var store = await PostgresDatabase.CreateAsync();
            var settings = ActivitySubscriptions_Specs.XaaSettings(rig);
            settings["Gateway:Url"] = gateway.BaseAddress.ToString();
            settings["Messaging:Rabbit:VirtualHost"] = broker.Name;
            settings["Processor:Store:ConnectionString"] = store.ConnectionString;
            await AccountRig.RunAsync(settings, "reconcile");

            var (exitCode, output) = await AccountRig.RunAsync(settings, "doctor");

            Assert.That(exitCode, Is.Zero, output);
            Assert.That(output, Does.Contain("[ ok ] Subscriptions API: X Activity API")
                .And.Contain($"[ ok ] Bot {TestCredentials.SecondBotUserId} subscriptions: dm.received (").And.Contain($"tagged twitterbot:{TestCredentials.SecondBotUserId}")
                .And.Contain("All checks passed."));
        }

        [Test]
        public async Task Should_flag_a_missing_subscription_and_one_that_is_not_ours()
        {
            await using var rig = await AccountRig.StartAsync();
            var settings = ActivitySubscriptions_Specs.XaaSettings(rig);
            await AccountRig.RunAsync(settings, "reconcile");
            var sent = rig.X.ActivitySubscriptions.Values.Single(s => s.UserId == TestCredentials.BotUserId && s.EventType == "dm.sent");
            rig.X.ActivitySubscriptions.TryRemove(sent.Id, out _);
            var received = rig.X.ActivitySubscriptions.Values.Single(s => s.UserId == TestCredentials.SecondBotUserId && s.EventType == "dm.received");
            rig.X.ActivitySubscriptions[received.Id] = received with { Tag = "crm-export" };

            var (exitCode, output) = await AccountRig.RunAsync(settings, "doctor");

            Assert.That(exitCode, Is.EqualTo(1), output);
            Assert.That(output, Does.Contain($"[FAIL] Bot {TestCredentials.BotUserId} subscriptions: dm.sent: no subscription")
                .And.Contain($"Run `subscriptions add {TestCredentials.BotUserId}`")
                .And.Contain($"[FAIL] Bot {TestCredentials.SecondBotUserId} subscriptions: dm.received: only subscriptions that are not ours ({received.Id} tagged 'crm-export')"));
        }
    }
}
