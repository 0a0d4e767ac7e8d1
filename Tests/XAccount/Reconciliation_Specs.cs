using Microsoft.Extensions.Logging;
using TwitterBot.Tests.Support;

namespace TwitterBot.Tests.XAccount;

/// <summary>
/// <c>reconcile</c> (what the Processor does at start) against a fake X whose CRC challenges reach the real
/// Ingress, in each flavour of X's Account Activity API.
/// </summary>
[Category("Integration")]
public static class Reconciliation_Specs
{
    public class When_no_webhook_is_registered
    {
        [TestCase("premium")]
        [TestCase("enterprise")]
        [TestCase("v2")]
        public async Task Should_register_it_once_the_Ingress_answers_Xs_CRC_and_subscribe_every_bot(string flavor)
        {
            await using var rig = await AccountRig.StartAsync();

            var (exitCode, output) = await AccountRig.RunAsync(rig.Settings(flavor), "reconcile");

            Assert.That(exitCode, Is.Zero, output);
            var webhook = rig.X.Webhooks.Values.Single();
            Assert.That((webhook.Url, webhook.Valid), Is.EqualTo((rig.WebhookUrl, true)));
            Assert.That(rig.X.CrcChallenges, Has.Some.EqualTo((rig.WebhookUrl, true)), "X's CRC challenge answered by the real Ingress");
            Assert.That(rig.X.Subscriptions[webhook.Id].Keys, Is.EquivalentTo(new[] { TestCredentials.BotUserId, TestCredentials.SecondBotUserId }));
            Assert.That(rig.X.RejectedRequests, Is.Empty, "every call authenticated as X expects");
            Assert.That(output, Does.Contain("registered").And.Contain($"subscribed bot {TestCredentials.SecondBotUserId}"));
        }
    }

    public class When_everything_is_in_place
    {
        [Test]
        public async Task Should_only_read_and_report_the_bots_already_subscribed()
        {
            await using var rig = await AccountRig.StartAsync();
            var settings = rig.Settings();
            await AccountRig.RunAsync(settings, "reconcile");
            var callsBefore = rig.X.AccountRequests.Count;

            var (exitCode, output) = await AccountRig.RunAsync(settings, "reconcile");

            Assert.That(exitCode, Is.Zero, output);
            Assert.That(rig.X.AccountRequests.Skip(callsBefore), Is.All.StartsWith("GET "), "a second run changes nothing");
            Assert.That(output, Does.Contain("unchanged").And.Contain($"bot {TestCredentials.BotUserId} was already subscribed"));
            Assert.That(rig.X.Webhooks, Has.Count.EqualTo(1));
        }
    }

    public class When_X_marked_the_webhook_invalid
    {
        [Test]
        public async Task Should_have_X_challenge_it_again_and_keep_its_id()
        {
            await using var rig = await AccountRig.StartAsync();
            var stale = rig.X.AddWebhook(rig.WebhookUrl, valid: false);

            var (exitCode, output) = await AccountRig.RunAsync(rig.Settings(), "reconcile");

            Assert.That(exitCode, Is.Zero, output);
            Assert.That(rig.X.Webhooks.Values.Single(), Is.EqualTo(stale with { Valid = true }));
            Assert.That(rig.X.AccountRequests, Has.One.StartsWith("PUT ").And.None.StartsWith("DELETE "));
            Assert.That(output, Does.Contain("revalidated"));
        }
    }

    public class When_one_bot_is_already_subscribed
    {
        [Test]
        public async Task Should_subscribe_only_the_other()
        {
            await using var rig = await AccountRig.StartAsync();
            var webhook = rig.X.AddWebhook(rig.WebhookUrl);
            rig.X.Subscriptions[webhook.Id][TestCredentials.BotUserId] = true;

            var (exitCode, output) = await AccountRig.RunAsync(rig.Settings("enterprise"), "reconcile");

            Assert.That(exitCode, Is.Zero, output);
            Assert.That(rig.X.AccountRequests.Count(r => r.StartsWith("POST ", StringComparison.Ordinal)), Is.EqualTo(1));
            Assert.That(rig.X.Subscriptions[webhook.Id].Keys, Is.EquivalentTo(new[] { TestCredentials.BotUserId, TestCredentials.SecondBotUserId }));
            Assert.That(output, Does.Contain($"subscribed bot {TestCredentials.SecondBotUserId}").And.Contain($"bot {TestCredentials.BotUserId} was already subscribed"));
        }
    }

    public class When_the_app_has_a_webhook_for_another_URL
    {
        [Test]
        public async Task Should_register_its_own_beside_it_and_leave_the_other_alone()
        {
            await using var rig = await AccountRig.StartAsync();
            var other = rig.X.AddWebhook("https://other.example.com/hooks", valid: false);

            var (exitCode, output) = await AccountRig.RunAsync(rig.Settings("enterprise"), "reconcile");

            Assert.That(exitCode, Is.Zero, output);
            Assert.That(rig.X.Webhooks.Values, Has.Member(other), "untouched, even though X marked it invalid");
            Assert.That(rig.X.Webhooks.Values.Select(w => w.Url), Is.EquivalentTo(new[] { other.Url, rig.WebhookUrl }));
            Assert.That(rig.X.AccountRequests, Has.None.StartsWith("DELETE ").And.None.StartsWith("PUT "));
        }
    }

    public class When_every_replica_reconciles_at_once
    {
        [Test]
        public async Task Should_end_with_one_webhook_and_every_bot_subscribed_once()
        {
            await using var rig = await AccountRig.StartAsync();
            var settings = rig.Settings("enterprise");

            var runs = await Task.WhenAll(Enumerable.Range(0, 4).Select(_ => AccountRig.RunAsync(settings, "reconcile")));

            Assert.That(runs.Select(r => r.ExitCode), Is.All.Zero, string.Join("\n", runs.Select(r => r.Output)));
            var webhook = rig.X.Webhooks.Values.Single();
            Assert.That(rig.X.Subscriptions[webhook.Id].Keys, Is.EquivalentTo(new[] { TestCredentials.BotUserId, TestCredentials.SecondBotUserId }));
        }
    }

    public class When_the_Ingress_signs_with_another_secret
    {
        [Test]
        public async Task Should_not_ask_X_to_register_and_say_the_Ingress_fails_the_CRC()
        {
            await using var rig = await AccountRig.StartAsync(ingressConsumerSecret: "a-different-secret");
            var settings = rig.Settings();
            settings["Processor:Reconciliation:IngressWait"] = "00:00:01";

            var (exitCode, output) = await AccountRig.RunAsync(settings, "reconcile");

            Assert.That(exitCode, Is.EqualTo(1));
            Assert.That(rig.X.Webhooks, Is.Empty);
            Assert.That(rig.X.AccountRequests, Has.None.StartsWith("POST "));
            Assert.That(output, Does.Contain("response_token that does not match").And.Contain("TwitterBot:Auth:ConsumerSecret"));
        }
    }

    public class When_the_Processor_starts
    {
        [Test]
        public async Task Should_reconcile_in_the_background_register_the_webhook_and_subscribe_the_bots()
        {
            await using var rig = await AccountRig.StartAsync();
            await using var broker = await RabbitMqVirtualHost.CreateAsync();
            await using var processor = await rig.StartProcessorAsync(broker);

            await WaitForReconciledAsync(processor);

            var webhook = rig.X.Webhooks.Values.Single();
            Assert.That((webhook.Url, webhook.Valid), Is.EqualTo((rig.WebhookUrl, true)));
            Assert.That(rig.X.Subscriptions[webhook.Id].Keys, Is.EquivalentTo(new[] { TestCredentials.BotUserId, TestCredentials.SecondBotUserId }));
        }
    }

    public class When_reconciliation_is_switched_off
    {
        [Test]
        public async Task Should_not_call_X_at_start()
        {
            await using var rig = await AccountRig.StartAsync();
            await using var broker = await RabbitMqVirtualHost.CreateAsync();

            await using var processor = await rig.StartProcessorAsync(broker, settings => settings["Processor:Reconciliation:Enabled"] = "false");

            Assert.That(processor.Logs.Messages(LogLevel.Information), Has.Some.Contains("Processor:Reconciliation:Enabled is false"));
            Assert.That(rig.X.AccountRequests, Is.Empty);
        }
    }

    public class When_X_is_briefly_unavailable_at_start
    {
        [Test]
        public async Task Should_retry_with_backoff_until_it_succeeds()
        {
            await using var rig = await AccountRig.StartAsync();
            await using var broker = await RabbitMqVirtualHost.CreateAsync();
            var failures = 2;
            rig.X.AccountOverride = _ => Interlocked.Decrement(ref failures) >= 0 ? FakeXApi.Error(503, 130, "Over capacity") : null;
            await using var processor = await rig.StartProcessorAsync(broker);

            await WaitForReconciledAsync(processor);

            Assert.That(processor.Logs.Messages(LogLevel.Warning).Count(line => line.Contains("retrying in", StringComparison.Ordinal)), Is.EqualTo(2));
            Assert.That(rig.X.Subscriptions[rig.X.Webhooks.Values.Single().Id], Has.Count.EqualTo(2));
        }
    }

    private static async Task WaitForReconciledAsync(ProcessorFactory processor)
    {
        using var deadline = new CancellationTokenSource(TimeSpan.FromSeconds(60));
        while (!processor.Logs.Messages(LogLevel.Information).Any(line => line.Contains("X account reconciled", StringComparison.Ordinal)))
        {
            await Task.Delay(TimeSpan.FromMilliseconds(100), deadline.Token);
        }
    }
}
