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
            var settings = rig.Settings("enterprise");
            settings["Gateway:Url"] = gateway.BaseAddress.ToString();
            settings["Messaging:Rabbit:VirtualHost"] = broker.Name;
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
}
