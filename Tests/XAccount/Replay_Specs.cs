using TwitterBot.Processor.XAccount;
using TwitterBot.Processor.XAccount.Replay;
using TwitterBot.Tests.Support;

namespace TwitterBot.Tests.XAccount;

/// <summary>
/// <c>replay --from --to</c> through each flavour's own Replay: the Account Activity replay job for enterprise
/// and AAA v2 (5 days), the webhook replay for the X Activity API (24 hours), none for premium; a window out of
/// the flavour's reach refused before anything reaches X.
/// </summary>
public static class Replay_Specs
{
    /// <summary>The rig's settings for a flavour: <c>premium</c>, <c>enterprise</c>, <c>v2</c> (AAA v2) or <c>xaa</c> (the X Activity API).</summary>
    internal static Dictionary<string, string?> Flavour(AccountRig rig, string flavour)
    {
        var settings = rig.Settings(flavour == "xaa" ? "v2" : flavour);
        if (flavour == "xaa")
        {
            settings["TwitterBot:Api:Subscriptions"] = "ActivityApi";
        }

        return settings;
    }

    /// <summary>An instant <paramref name="ago"/> before now, on a whole minute (X's replay dates have no seconds).</summary>
    private static DateTimeOffset MinutesAgo(TimeSpan ago)
    {
        var at = DateTimeOffset.UtcNow - ago;
        return new DateTimeOffset(at.Year, at.Month, at.Day, at.Hour, at.Minute, 0, TimeSpan.Zero);
    }

    private static string Utc(DateTimeOffset at) => at.ToString("yyyy-MM-ddTHH:mmZ", System.Globalization.CultureInfo.InvariantCulture);

    [Category("Integration")]
    public class When_a_flavour_replays_a_window_inside_its_reach
    {
        [TestCase("enterprise", "POST /1.1/account_activity/replay/webhooks/{0}/subscriptions/all.json")]
        [TestCase("v2", "POST /2/account_activity/replay/webhooks/{0}/subscriptions/all")]
        [TestCase("xaa", "POST /2/webhooks/replay")]
        public async Task Should_call_the_flavours_own_replay_endpoint_and_no_other(string flavour, string endpoint)
        {
            await using var rig = await AccountRig.StartAsync();
            var webhook = rig.X.AddWebhook(rig.WebhookUrl);
            var from = MinutesAgo(TimeSpan.FromHours(6));
            var to = from.AddMinutes(90);

            var (exitCode, output) = await AccountRig.RunAsync(Flavour(rig, flavour), "replay", "--from", Utc(from), "--to", Utc(to));

            Assert.That(exitCode, Is.Zero, output);
            Assert.That(rig.X.ReplayJobs, Is.EqualTo(new[] { (webhook.Id, $"{from:yyyyMMddHHmm}", $"{to:yyyyMMddHHmm}") }));
            Assert.That(rig.X.AccountRequests.Where(r => r.Contains("replay", StringComparison.Ordinal)), Is.EqualTo(new[] { string.Format(System.Globalization.CultureInfo.InvariantCulture, endpoint, webhook.Id) }));
            Assert.That(output, Does.Contain("replay job job-1 created"));
        }

        [Test]
        public async Task Should_replay_the_last_minutes_through_the_webhook_replay_which_asks_no_30_minute_wait()
        {
            await using var rig = await AccountRig.StartAsync();
            rig.X.AddWebhook(rig.WebhookUrl);

            var (exitCode, output) = await AccountRig.RunAsync(Flavour(rig, "xaa"), "replay",
                "--from", Utc(MinutesAgo(TimeSpan.FromHours(2))), "--to", Utc(MinutesAgo(TimeSpan.FromMinutes(5))));

            Assert.That(exitCode, Is.Zero, output);
            Assert.That(rig.X.ReplayJobs, Has.Count.EqualTo(1));
        }
    }

    [Category("Integration")]
    public class When_a_window_is_outside_the_flavours_reach
    {
        [TestCase("xaa", "1.06:00:00", "01:00:00", "more than 24 hours ago", true)]
        [TestCase("v2", "6.00:00:00", "1.00:00:00", "more than 5 days ago", true)]
        [TestCase("enterprise", "6.00:00:00", "1.00:00:00", "more than 5 days ago", true)]
        [TestCase("v2", "1.00:00:00", "00:10:00", "newer than 30 minutes ago", false)]
        [TestCase("premium", "1.00:00:00", "01:00:00", "premium environments cannot replay", true)]
        public async Task Should_refuse_and_say_why_before_any_request_reaches_X(string flavour, string fromAgo, string toAgo, string reason, bool pointsToRecovery)
        {
            await using var rig = await AccountRig.StartAsync();
            rig.X.AddWebhook(rig.WebhookUrl);
            var (from, to) = (MinutesAgo(TimeSpan.Parse(fromAgo, System.Globalization.CultureInfo.InvariantCulture)), MinutesAgo(TimeSpan.Parse(toAgo, System.Globalization.CultureInfo.InvariantCulture)));

            var (exitCode, output) = await AccountRig.RunAsync(Flavour(rig, flavour), "replay", "--from", Utc(from), "--to", Utc(to));

            Assert.That(exitCode, Is.EqualTo(2), output);
            Assert.That(output, Does.Contain(reason));
            Assert.That(output, pointsToRecovery ? Does.Contain("--recover-from") : Does.Not.Contain("--recover-from"), "an older gap is filled from the DM history");
            Assert.That(rig.X.Requests, Is.Empty, "no request reached X");
        }
    }

    public class When_the_replay_window_is_checked
    {
        private static readonly DateTimeOffset Now = new ManualTime().GetUtcNow();

        [Test]
        public void Should_give_each_flavour_its_own_reach() => Assert.That(
            new[] { AccountActivityFlavor.Premium, AccountActivityFlavor.Enterprise, AccountActivityFlavor.V2, AccountActivityFlavor.ActivityApi }.Select(ReplayWindow.For),
            Is.EqualTo(new[] { null, ReplayWindow.AccountActivity, ReplayWindow.AccountActivity, ReplayWindow.Webhook }));

        [TestCase(AccountActivityFlavor.Enterprise, -119, -1, true)]
        [TestCase(AccountActivityFlavor.Enterprise, -121, -1, false)]
        [TestCase(AccountActivityFlavor.V2, -119, -1, true)]
        [TestCase(AccountActivityFlavor.ActivityApi, -23, 0, true)]
        [TestCase(AccountActivityFlavor.ActivityApi, -25, -1, false)]
        [TestCase(AccountActivityFlavor.ActivityApi, -2, 1, false)]
        [TestCase(AccountActivityFlavor.Premium, -2, -1, false)]
        public void Should_accept_only_what_the_flavour_can_replay(AccountActivityFlavor flavour, int fromHours, int toHours, bool accepted) =>
            Assert.That(ReplayWindow.Problem(flavour, Now.AddHours(fromHours), Now.AddHours(toHours), Now), accepted ? Is.Null : Is.Not.Null);
    }
}
