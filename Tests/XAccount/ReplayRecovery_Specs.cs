using TwitterBot.Processor.XAccount.Replay;
using TwitterBot.Tests.Support;

namespace TwitterBot.Tests.XAccount;

/// <summary>
/// <c>replay --recover-from</c>: after an outage longer than Replay reaches, each bot's DM history (v1.1
/// <c>events/list</c> or v2 <c>/2/dm_events</c>) is read back to the time and every DM a person sent since is
/// published as the Ingress publishes it, so that the Processor answers each exactly once; bounded in pages;
/// a dry run only counts.
/// </summary>
[Category("Integration")]
public static class ReplayRecovery_Specs
{
    private const string Jane = "3001969357";
    private const string Joe = "3001969358";

    private static string Utc(DateTimeOffset at) => at.ToString("yyyy-MM-ddTHH:mm:ssZ", System.Globalization.CultureInfo.InvariantCulture);

    /// <summary>The rig's settings for a DM API version (<c>1.1</c> or <c>2</c>), publishing to <paramref name="broker"/>.</summary>
    private static Dictionary<string, string?> Settings(AccountRig rig, string version, RabbitMqVirtualHost broker)
    {
        var settings = rig.Settings(version == "2" ? "v2" : "enterprise");
        settings["Messaging:Rabbit:VirtualHost"] = broker.Name;
        return settings;
    }

    private static async Task<long> MessagesInAsync(RabbitMqVirtualHost broker)
    {
        long total = 0;
        foreach (var partition in TestSettings.PartitionQueues)
        {
            total += await broker.CountMessagesIfAnyAsync(partition);
        }

        return total;
    }

    public class When_recovering_with_a_dry_run
    {
        [TestCase("1.1")]
        [TestCase("2")]
        public async Task Should_count_per_bot_only_what_people_sent_since_the_time_and_publish_nothing(string version)
        {
            await using var rig = await AccountRig.StartAsync();
            await using var broker = await RabbitMqVirtualHost.CreateAsync();
            var now = DateTimeOffset.UtcNow;
            rig.X.ReceiveDirectMessage(Jane, TestCredentials.BotUserId, "before the outage", now.AddDays(-3));
            rig.X.ReceiveDirectMessage(Jane, TestCredentials.BotUserId, "one", now.AddHours(-40));
            rig.X.DeliverFromApp(TestCredentials.BotAccessToken, Jane, "the bot's own answer", now.AddHours(-39));
            rig.X.ReceiveDirectMessage(Joe, TestCredentials.BotUserId, "two", now.AddHours(-20));
            rig.X.DeliverFromApp(TestCredentials.SecondBotAccessToken, TestCredentials.BotUserId, "a bot to a bot", now.AddHours(-10));
            rig.X.ReceiveDirectMessage(Jane, TestCredentials.SecondBotUserId, "three", now.AddHours(-5));

            var (exitCode, output) = await AccountRig.RunAsync(Settings(rig, version, broker), "replay", "--recover-from", Utc(now.AddDays(-2)), "--dry-run");

            Assert.That(exitCode, Is.Zero, output);
            Assert.That(output, Does.Contain($"bot {TestCredentials.BotId} ({TestCredentials.BotUserId}): 1 calls to").And.Contain("5 events fetched, 2 DMs from people since"));
            Assert.That(output, Does.Contain($"bot bot-project-2 ({TestCredentials.SecondBotUserId}): 1 calls to").And.Contain("2 events fetched, 1 DMs from people since"));
            Assert.That(output, Does.Contain("2 calls to X in all").And.Contain("dry run: 3 DMs would be published; nothing was published."));
            Assert.That(rig.X.Requests.Count(r => r.Contains(version == "2" ? "/2/dm_events" : "/1.1/direct_messages/events/list.json", StringComparison.Ordinal)), Is.EqualTo(2));
            Assert.That(await MessagesInAsync(broker), Is.Zero, "nothing published");
        }
    }

    public class When_the_history_is_longer_than_the_page_bound
    {
        [TestCase("1.1")]
        [TestCase("2")]
        public async Task Should_read_no_more_pages_than_allowed_and_say_what_it_could_not_reach(string version)
        {
            await using var rig = await AccountRig.StartAsync();
            await using var broker = await RabbitMqVirtualHost.CreateAsync();
            rig.X.ListPageSize = 10;
            var now = DateTimeOffset.UtcNow;
            for (var i = 0; i < 35; i++)
            {
                rig.X.ReceiveDirectMessage(Jane, TestCredentials.BotUserId, $"dm {i}", now.AddHours(-30).AddMinutes(i));
            }

            var (exitCode, output) = await AccountRig.RunAsync(Settings(rig, version, broker), "replay", "--recover-from", Utc(now.AddDays(-2)), "--max-pages", "2", "--dry-run");

            Assert.That(exitCode, Is.Zero, output);
            Assert.That(rig.X.ListRequests, Is.EqualTo(3), "two pages for the first bot, one (empty) for the second");
            Assert.That(output, Does.Contain($"bot {TestCredentials.BotId} ({TestCredentials.BotUserId}): 2 calls to").And.Contain("20 events fetched, 20 DMs from people since"));
            Assert.That(output, Does.Contain("--max-pages 2 stopped before"));
            Assert.That(output, Does.Contain("3 calls to X in all (at most 2 per bot, 4 for 2 bots)"));
        }

        [Test]
        public async Task Should_refuse_a_time_older_than_the_30_days_X_keeps_without_calling_X()
        {
            await using var rig = await AccountRig.StartAsync();
            await using var broker = await RabbitMqVirtualHost.CreateAsync();

            var (exitCode, output) = await AccountRig.RunAsync(Settings(rig, "1.1", broker), "replay", "--recover-from", Utc(DateTimeOffset.UtcNow.AddDays(-31)));

            Assert.That(exitCode, Is.EqualTo(2), output);
            Assert.That(output, Does.Contain("more than 30 days ago"));
            Assert.That(rig.X.Requests, Is.Empty);
        }
    }

    public class When_the_broker_cannot_be_reached
    {
        [Test]
        public async Task Should_fail_naming_the_broker_after_a_bounded_wait_having_published_nothing()
        {
            await using var rig = await AccountRig.StartAsync();
            await using var broker = await RabbitMqVirtualHost.CreateAsync();
            rig.X.ReceiveDirectMessage(Jane, TestCredentials.BotUserId, "one", DateTimeOffset.UtcNow.AddHours(-3));
            var settings = Settings(rig, "1.1", broker);
            settings["Messaging:Rabbit:Hosts:0"] = "127.0.0.1:1"; // nothing listens there

            var (exitCode, output) = await AccountRig.RunAsync(settings, "replay", "--recover-from", Utc(DateTimeOffset.UtcNow.AddDays(-1)), "--connect-timeout", "2")
                .WaitAsync(RecoveryPublisher.DefaultConnectTimeout);

            Assert.That(exitCode, Is.EqualTo(1), output);
            Assert.That(output, Does.Contain("did not accept a connection within 2 s").And.Contain("nothing was published"));
        }

        [TestCase("0")]
        [TestCase("301")]
        public async Task Should_refuse_a_connect_timeout_out_of_bounds_before_calling_X(string seconds)
        {
            await using var rig = await AccountRig.StartAsync();
            await using var broker = await RabbitMqVirtualHost.CreateAsync();

            var (exitCode, output) = await AccountRig.RunAsync(Settings(rig, "1.1", broker), "replay", "--recover-from", Utc(DateTimeOffset.UtcNow.AddDays(-1)), "--connect-timeout", seconds);

            Assert.That(exitCode, Is.EqualTo(2), output);
            Assert.That(output, Does.Contain($"--connect-timeout ({seconds}) must be between 1 and 300 seconds."));
            Assert.That(rig.X.Requests, Is.Empty);
        }
    }

    public class When_DMs_missed_in_an_outage_are_recovered_while_the_webhook_delivers_some_of_them_too
    {
        [TestCase("1.1")]
        [TestCase("2")]
        public async Task Should_answer_every_missed_DM_exactly_once(string version)
        {
            await using var rig = await ConversationRig.StartAsync();
            rig.Settings["TwitterBot:Api:Version"] = version;
            var now = DateTimeOffset.UtcNow;
            rig.X.ReceiveDirectMessage(Jane, TestCredentials.BotUserId, "before the outage", now.AddDays(-3));
            var answered = rig.X.ReceiveDirectMessage(Jane, TestCredentials.BotUserId, "one", now.AddHours(-3));
            rig.X.ReceiveDirectMessage(Jane, TestCredentials.BotUserId, "two", now.AddHours(-2));
            var late = rig.X.ReceiveDirectMessage(Jane, TestCredentials.BotUserId, "three", now.AddHours(-1));
            await rig.StartProcessorAsync();

            // "one" arrived by webhook before the outage and was answered.
            await rig.PostAsync(answered, "one", Jane);
            await rig.X.WaitForDirectMessagesAsync(1, ConversationRig.Patience);

            var (exitCode, output) = await AccountRig.RunAsync(rig.Settings, "replay", "--recover-from", Utc(now.AddDays(-1)));
            Assert.That(exitCode, Is.Zero, output);
            Assert.That(output, Does.Contain("published 3 DMs"));

            // X's webhook retries bring "three" again; then a new DM, answered after everything before it in the conversation.
            await rig.PostAsync(late, "three", Jane);
            await rig.PostAsync("1960000000000000001", "after the outage", Jane);
            var replies = await rig.X.WaitForDirectMessagesAsync(4, ConversationRig.Patience);

            Assert.That(rig.Gateway.AskedTexts, Is.EqualTo(new[] { "one", "two", "three", "after the outage" }));
            Assert.That(replies.Select(r => r.Text), Is.EqualTo(new[] { "You said: one", "You said: two", "You said: three", "You said: after the outage" }));
            Assert.That(rig.X.AllAccepted(), Has.Count.EqualTo(4));
            Assert.That(await rig.DeadLettersAsync(), Is.Zero);
        }
    }
}
