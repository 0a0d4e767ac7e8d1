using TwitterBot.Tests.Support;

namespace TwitterBot.Tests.XAccount;

/// <summary>The <c>webhooks</c>, <c>subscriptions</c> and <c>replay</c> verbs against a fake X over HTTP.</summary>
[Category("Integration")]
public static class AccountCommands_Specs
{
    public class When_listing_webhooks
    {
        [Test]
        public async Task Should_show_every_webhook_of_the_app_and_mark_ours()
        {
            await using var rig = await AccountRig.StartAsync();
            var ours = rig.X.AddWebhook(rig.WebhookUrl);
            var other = rig.X.AddWebhook("https://other.example.com/hooks", valid: false);

            var (exitCode, output) = await AccountRig.RunAsync(rig.Settings(), "webhooks", "list");

            Assert.That(exitCode, Is.Zero);
            Assert.That(output, Does.Contain($"* {ours.Id}\t{rig.WebhookUrl}\tvalid").And.Contain($"  {other.Id}\t{other.Url}\tINVALID").And.Contain("2 webhooks"));
        }
    }

    public class When_deleting_a_webhook_by_id
    {
        [Test]
        public async Task Should_delete_exactly_that_one()
        {
            await using var rig = await AccountRig.StartAsync();
            var ours = rig.X.AddWebhook(rig.WebhookUrl);
            var other = rig.X.AddWebhook("https://other.example.com/hooks");

            var (exitCode, output) = await AccountRig.RunAsync(rig.Settings("v2"), "webhooks", "delete", other.Id);

            Assert.That(exitCode, Is.Zero, output);
            Assert.That(rig.X.Webhooks.Values, Is.EqualTo(new[] { ours }));
        }
    }

    public class When_validating_our_webhook
    {
        [Test]
        public async Task Should_find_it_by_the_configured_URL_and_have_X_challenge_the_Ingress()
        {
            await using var rig = await AccountRig.StartAsync();
            var ours = rig.X.AddWebhook(rig.WebhookUrl, valid: false);

            var (exitCode, output) = await AccountRig.RunAsync(rig.Settings(), "webhooks", "validate");

            Assert.That(exitCode, Is.Zero, output);
            Assert.That(rig.X.Webhooks[ours.Id].Valid, Is.True);
            Assert.That(rig.X.CrcChallenges, Is.EqualTo(new[] { (rig.WebhookUrl, true) }));
        }
    }

    public class When_managing_subscriptions
    {
        [TestCase("premium")]
        [TestCase("enterprise")]
        [TestCase("v2")]
        public async Task Should_add_list_count_and_remove_them(string flavor)
        {
            await using var rig = await AccountRig.StartAsync();
            var settings = rig.Settings(flavor);
            var webhook = rig.X.AddWebhook(rig.WebhookUrl);

            var added = await AccountRig.RunAsync(settings, "subscriptions", "add", TestCredentials.SecondBotUserId);
            var listed = await AccountRig.RunAsync(settings, "subscriptions", "list");
            var counted = await AccountRig.RunAsync(settings, "subscriptions", "count");
            var removed = await AccountRig.RunAsync(settings, "subscriptions", "remove", TestCredentials.SecondBotUserId);

            Assert.That(new[] { added.ExitCode, listed.ExitCode, counted.ExitCode, removed.ExitCode }, Is.All.Zero);
            Assert.That(listed.Output, Does.Contain($"{TestCredentials.SecondBotUserId}\tbot bot-project-2")
                .And.Contain($"{TestCredentials.BotUserId}\tbot {TestCredentials.BotId}\tNOT SUBSCRIBED"));
            Assert.That(counted.Output, Does.Contain("1 subscriptions (1 with Direct Messages)"));
            Assert.That(rig.X.Subscriptions[webhook.Id], Is.Empty);
            Assert.That(rig.X.RejectedRequests, Is.Empty);
        }

        [Test]
        public async Task Should_refuse_to_add_an_account_that_is_not_a_configured_bot()
        {
            await using var rig = await AccountRig.StartAsync();
            rig.X.AddWebhook(rig.WebhookUrl);

            var (exitCode, output) = await AccountRig.RunAsync(rig.Settings(), "subscriptions", "add", "123");

            Assert.That(exitCode, Is.EqualTo(2));
            Assert.That(output, Does.Contain("No bot with UserId 123 is configured in TwitterBot:Bots"));
            Assert.That(rig.X.AccountRequests, Is.Empty);
        }
    }

    public class When_asking_for_a_replay
    {
        [Test]
        public async Task Should_create_an_enterprise_replay_job_with_Xs_minute_dates()
        {
            await using var rig = await AccountRig.StartAsync();
            var webhook = rig.X.AddWebhook(rig.WebhookUrl);
            var (from, to) = (DateTimeOffset.UtcNow.AddDays(-2), DateTimeOffset.UtcNow.AddHours(-1));

            var (exitCode, output) = await AccountRig.RunAsync(rig.Settings("enterprise"), "replay", "--from", from.ToString("O"), "--to", to.ToString("O"));

            Assert.That(exitCode, Is.Zero, output);
            Assert.That(rig.X.ReplayJobs, Is.EqualTo(new[] { (webhook.Id, $"{from:yyyyMMddHHmm}", $"{to:yyyyMMddHHmm}") }));
            Assert.That(output, Does.Contain("replay job job-1 created"));
        }

        [Test]
        public async Task Should_send_the_window_to_v2s_replay_endpoint()
        {
            await using var rig = await AccountRig.StartAsync();
            var webhook = rig.X.AddWebhook(rig.WebhookUrl);
            // Inside every flavour's window whatever today is: hours back, on whole minutes (X's replay dates have no seconds).
            var hoursAgo = DateTimeOffset.UtcNow.AddHours(-6);
            var from = new DateTimeOffset(hoursAgo.Year, hoursAgo.Month, hoursAgo.Day, hoursAgo.Hour, hoursAgo.Minute, 0, TimeSpan.Zero);
            var to = from.AddMinutes(90);

            var (exitCode, output) = await AccountRig.RunAsync(rig.Settings("v2"), "replay", "--from", from.ToString("yyyy-MM-ddTHH:mmZ"), "--to", to.ToString("yyyy-MM-ddTHH:mmZ"));

            Assert.That(exitCode, Is.Zero, output);
            Assert.That(rig.X.ReplayJobs, Is.EqualTo(new[] { (webhook.Id, $"{from:yyyyMMddHHmm}", $"{to:yyyyMMddHHmm}") }));
        }

        [TestCase("-6.00:00:00", "-1.00:00:00", "more than 5 days ago")]
        [TestCase("-1.00:00:00", "-00:10:00", "newer than 30 minutes ago")]
        [TestCase("-1.00:00:00", "-2.00:00:00", "must be before --to")]
        public async Task Should_refuse_a_window_X_cannot_replay_without_calling_X(string fromAgo, string toAgo, string reason)
        {
            await using var rig = await AccountRig.StartAsync();
            rig.X.AddWebhook(rig.WebhookUrl);
            var now = DateTimeOffset.UtcNow;

            var (exitCode, output) = await AccountRig.RunAsync(rig.Settings("enterprise"), "replay",
                "--from", now.Add(TimeSpan.Parse(fromAgo, System.Globalization.CultureInfo.InvariantCulture)).ToString("O"),
                "--to", now.Add(TimeSpan.Parse(toAgo, System.Globalization.CultureInfo.InvariantCulture)).ToString("O"));

            Assert.That(exitCode, Is.EqualTo(2));
            Assert.That(output, Does.Contain(reason));
            Assert.That(rig.X.AccountRequests, Is.Empty);
        }

        [Test]
        public async Task Should_say_that_premium_environments_cannot_replay()
        {
            await using var rig = await AccountRig.StartAsync();
            rig.X.AddWebhook(rig.WebhookUrl);

            var (exitCode, output) = await AccountRig.RunAsync(rig.Settings("premium"), "replay", "--from", DateTimeOffset.UtcNow.AddDays(-1).ToString("O"), "--to", DateTimeOffset.UtcNow.AddHours(-1).ToString("O"));

            Assert.That(exitCode, Is.EqualTo(2));
            Assert.That(output, Does.Contain("premium environments cannot replay"));
            Assert.That(rig.X.ReplayJobs, Is.Empty);
        }
    }

    public class When_the_command_line_is_wrong
    {
        [Test]
        public async Task Should_exit_2_and_point_to_help()
        {
            await using var rig = await AccountRig.StartAsync();

            var (exitCode, output) = await AccountRig.RunAsync(rig.Settings(), "webhooks", "delete");

            Assert.That(exitCode, Is.EqualTo(2));
            Assert.That(output, Does.Contain("webhooks delete --help"));
            Assert.That(rig.X.AccountRequests, Is.Empty);
        }

        [Test]
        public async Task Should_exit_2_naming_an_invalid_key_without_calling_X()
        {
            await using var rig = await AccountRig.StartAsync();
            var settings = rig.Settings();
            settings["TwitterBot:Api:WebhookUrl"] = "bots.example.com/webhooks";

            var (exitCode, output) = await AccountRig.RunAsync(settings, "webhooks", "register");

            Assert.That(exitCode, Is.EqualTo(2));
            Assert.That(output, Does.Contain("TwitterBot:Api:WebhookUrl must be an absolute http(s) URL."));
            Assert.That(rig.X.AccountRequests, Is.Empty);
        }

        [Test]
        public async Task Should_name_the_missing_bearer_token_key_without_calling_X()
        {
            await using var rig = await AccountRig.StartAsync();
            var settings = rig.Settings();
            settings.Remove("TwitterBot:Auth:BearerToken");

            var (exitCode, output) = await AccountRig.RunAsync(settings, "webhooks", "list");

            Assert.That(exitCode, Is.EqualTo(2));
            Assert.That(output, Does.Contain("set TwitterBot:Auth:BearerToken"));
            Assert.That(rig.X.AccountRequests, Is.Empty);
        }
    }
}
