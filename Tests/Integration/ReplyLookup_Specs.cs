using System.Text.Json.Nodes;
using TwitterBot.Processor.Channels;
using TwitterBot.Tests.Support;

namespace TwitterBot.Tests.Integration;

/// <summary>
/// A reply whose outcome was lost is looked up on X before it is sent again: found only when X holds that very
/// DM (text, options and media as planned, compared exactly), sent after the send began and not already
/// matched; never dropped, never sent twice. On the real PostgreSQL store, with X's time moved by the spec.
/// </summary>
[Category("Integration")]
public static class ReplyLookup_Specs
{
    private const string User = "3001969357";

    private static JsonArray Reaction(string text, string? mediaUrl = null, int pictures = 1, params string[] options)
    {
        var reaction = new JsonObject { ["text"] = text };
        if (mediaUrl is not null)
        {
            reaction["attachments"] = new JsonArray(Enumerable.Range(0, pictures).Select(_ => (JsonNode)new JsonObject { ["type"] = "image", ["url"] = mediaUrl }).ToArray());
        }

        if (options.Length > 0)
        {
            reaction["quick_replies"] = new JsonArray(options.Select(o => (JsonNode)new JsonObject { ["title"] = o, ["payload"] = o.ToUpperInvariant() }).ToArray());
        }

        return new JsonArray(reaction);
    }

    public class When_the_answer_to_a_reply_that_repeats_an_earlier_one_is_lost
    {
        [TestCase("OK", "OK", TestName = "Should_deliver_a_second_identical_text")]
        [TestCase("Thanks for waiting!", "Thanks", TestName = "Should_deliver_a_text_that_the_earlier_one_starts_with")]
        public async Task Should_deliver_it(string first, string second)
        {
            await using var rig = await TurnRig.StartAsync();
            rig.Gateway.Answer = _ => [first, second];
            rig.X.Faults = _ => rig.X.Attempts.Count == 2 ? SendFault.LoseRequest : SendFault.None;

            await rig.PublishAsync("1920000000000000001", "hi");
            await rig.WaitForAnsweredAsync(1);

            Assert.That(rig.X.AllAccepted().Select(dm => dm.Text), Is.EqualTo(new[] { first, second }));
            Assert.That(rig.X.Attempts, Has.Count.EqualTo(3), "the lost send was looked up, not found, and sent again");
        }

        [Test]
        public async Task Should_deliver_every_attachment_after_the_first_though_its_text_is_empty()
        {
            await using var rig = await TurnRig.StartAsync();
            rig.Gateway.Reactions = _ => Reaction("Two cats", rig.Gateway.CatPictureUrl.ToString(), pictures: 2);
            rig.X.Faults = _ => rig.X.Attempts.Count == 2 ? SendFault.LoseRequest : SendFault.None;

            await rig.PublishAsync("1920000000000000002", "cats please");
            await rig.WaitForAnsweredAsync(1);

            var accepted = rig.X.AllAccepted();
            Assert.That(accepted.Select(dm => dm.Text), Is.EqualTo(new[] { "Two cats", "" }));
            Assert.That(accepted.Select(dm => dm.MediaId), Is.All.Not.Null);
        }
    }

    public class When_someone_at_the_brand_wrote_a_DM_like_the_lost_reply_from_the_X_app
    {
        [Test]
        public async Task Should_not_take_it_for_the_reply()
        {
            await using var rig = await TurnRig.StartAsync();
            rig.Gateway.Answer = _ => ["Your order: https://shop.example/orders/2"];
            rig.X.Faults = _ =>
            {
                if (rig.X.Attempts.Count > 1)
                {
                    return SendFault.None;
                }

                rig.X.DeliverFromApp(TestCredentials.BotAccessToken, User, "Your order: https://shop.example/orders/1", rig.Clock.GetUtcNow());
                return SendFault.LoseRequest;
            };

            await rig.PublishAsync("1920000000000000003", "where is my order?");
            await rig.WaitForAnsweredAsync(1);

            Assert.That(rig.X.AllAccepted().Select(dm => dm.Text), Is.EqualTo(new[] { "Your order: https://shop.example/orders/2" }));
        }
    }

    public class When_the_brand_wrote_the_same_text_from_the_X_app_30_seconds_before_the_send_began
    {
        // X's clock against ours: the lookup's bound is the send's start by X's clock, read from X's Date header.
        [TestCase(SendFault.AcceptThenFail, 0, TestName = "Should_find_the_reply_as_its_own_DM_not_the_apps")]
        [TestCase(SendFault.AcceptThenFail, 300, TestName = "Should_find_the_reply_as_its_own_DM_not_the_apps_when_X_is_5_minutes_ahead")]
        [TestCase(SendFault.AcceptThenFail, -300, TestName = "Should_find_the_reply_as_its_own_DM_when_X_is_5_minutes_behind")]
        [TestCase(SendFault.LoseRequest, 0, TestName = "Should_send_a_reply_X_never_took_though_the_app_wrote_its_text")]
        public async Task Should_tell_the_reply_from_the_apps_DM(SendFault fault, int xAheadSeconds)
        {
            await using var rig = await TurnRig.StartAsync();
            rig.X.ClockOffset = TimeSpan.FromSeconds(xAheadSeconds);
            string? fromApp = null;
            rig.X.Faults = _ =>
            {
                if (rig.X.Attempts.Count > 1)
                {
                    return SendFault.None;
                }

                fromApp = rig.X.DeliverFromApp(TestCredentials.BotAccessToken, User, "You said: ok?", rig.X.Now.AddSeconds(-30));
                return fault;
            };

            await rig.PublishAsync("1920000000000000010", "ok?");
            await rig.WaitForAnsweredAsync(1);

            Assert.That(rig.X.AcceptedIds, Has.Count.EqualTo(1), "exactly one DM of the reply reached X");
            var recorded = await rig.Database.ScalarAsync<string>("SELECT string_agg(dm_id, ',') FROM sent_direct_messages");
            Assert.That(recorded, Is.EqualTo(rig.X.AcceptedIds.Single()), $"the reply recorded as its own DM, not the app's {fromApp}");
        }
    }

    public class When_X_took_a_reply_but_its_answer_named_no_id
    {
        [TestCase("1.1", TestName = "Should_record_it_so_that_an_identical_reply_lost_later_is_not_taken_for_it")]
        [TestCase("2", TestName = "Should_record_it_so_that_an_identical_reply_lost_later_is_not_taken_for_it_on_v2")]
        public async Task Should_record_it(string version)
        {
            await using var rig = await TurnRig.StartAsync(settings => settings["TwitterBot:Api:Version"] = version);
            rig.Gateway.Answer = _ => ["OK", "OK"];
            rig.X.Faults = _ => rig.X.Attempts.Count switch
            {
                1 => SendFault.AcceptWithoutId,
                2 => SendFault.LoseRequest,
                _ => SendFault.None,
            };

            await rig.PublishAsync("1920000000000000012", "confirm?");
            await rig.WaitForAnsweredAsync(1);

            Assert.That(rig.X.AllAccepted().Select(dm => dm.Text), Is.EqualTo(new[] { "OK", "OK" }), "the second reply was sent, not taken for the first");
            var recorded = await rig.Database.ScalarAsync<string>("SELECT string_agg(dm_id, ',' ORDER BY reply_index) FROM sent_direct_messages");
            Assert.That(recorded, Is.EqualTo(string.Join(',', rig.X.AcceptedIds)), "each reply recorded as its own DM");
        }
    }

    public class When_more_DMs_than_the_lookup_reads_are_newer_than_the_lost_reply
    {
        [Test]
        public async Task Should_neither_send_it_nor_take_it_as_sent_until_a_lookup_decides()
        {
            await using var rig = await TurnRig.StartAsync();
            const int budget = SentReplyLookup.PageBudget;
            // The first lookup reads pages of one DM; the retry's lookup reads X's usual pages and decides.
            rig.X.ListRequested = request => rig.X.ListPageSize = request > budget ? 50 : 1;
            rig.X.Faults = _ =>
            {
                // Eleven newer DMs to other users: ten pages of one do not reach back to the send.
                for (var i = 1; i <= 11; i++)
                {
                    rig.X.DeliverFromApp(TestCredentials.BotAccessToken, $"30019694{10 + i}", $"to someone else {i}", rig.X.Now.AddSeconds(i));
                }

                return SendFault.AcceptThenDrop;
            };

            await rig.PublishAsync("1920000000000000011", "busy?");
            await rig.WaitForAnsweredAsync(1);

            Assert.That(rig.X.Attempts, Has.Count.EqualTo(1), "nothing sent again while the lookup could not decide");
            Assert.That(rig.X.ListRequests, Is.EqualTo(budget + 1), "the budget read, then the retry's one page");
            Assert.That(rig.Metrics.Totals.GetValueOrDefault("twitterbot.processor.reply_lookups{outcome=undecided}"), Is.EqualTo(1));
            Assert.That(rig.Metrics.Totals.GetValueOrDefault("twitterbot.processor.reply_lookups{outcome=found}"), Is.EqualTo(1));
        }
    }

    public class When_the_lost_reply_is_on_the_third_page_of_the_bots_DMs
    {
        [TestCase("1.1", TestName = "Should_page_to_it_and_not_send_it_again")]
        [TestCase("2", TestName = "Should_page_to_it_with_v2_pagination_tokens_and_not_send_it_again")]
        public async Task Should_page_to_it(string version)
        {
            await using var rig = await TurnRig.StartAsync(settings => settings["TwitterBot:Api:Version"] = version);
            rig.X.ListPageSize = 2;
            rig.X.Faults = _ =>
            {
                if (rig.X.Attempts.Count > 1)
                {
                    return SendFault.None;
                }

                // The bot's busy account: newer DMs to other users push this one to page 3.
                for (var i = 1; i <= 4; i++)
                {
                    rig.X.DeliverFromApp(TestCredentials.BotAccessToken, version == "2" ? User : $"30019693{60 + i}", $"to someone else {i}", rig.Clock.GetUtcNow().AddSeconds(i));
                }

                return SendFault.AcceptThenDrop;
            };

            await rig.PublishAsync("1920000000000000004", "busy?");
            await rig.WaitForAnsweredAsync(1);

            Assert.That(rig.X.Attempts.Select(dm => dm.Text), Is.EqualTo(new[] { "You said: busy?" }), "found on X, not sent again");
            Assert.That(rig.X.ListRequests, Is.EqualTo(3));
        }
    }

    public class When_X_took_the_DM_but_its_answer_never_arrived
    {
        [TestCase(SendFault.AcceptThenFail, "1.1", TestName = "Should_find_a_DM_X_took_before_answering_503")]
        [TestCase(SendFault.AcceptThenDrop, "1.1", TestName = "Should_find_a_DM_X_took_before_the_connection_dropped")]
        [TestCase(SendFault.AcceptThenDrop, "2", TestName = "Should_find_a_DM_X_took_before_the_connection_dropped_on_v2")]
        public async Task Should_find_it_on_X_and_leave_exactly_one(SendFault fault, string version)
        {
            await using var rig = await TurnRig.StartAsync(settings => settings["TwitterBot:Api:Version"] = version);
            // Links (X shortens them and lists what they stand for), escaped characters, options and media: all compared.
            rig.Gateway.Reactions = _ => Reaction("Details & more: https://shop.example/a?b=1&c=2 <3", rig.Gateway.CatPictureUrl.ToString(), 1, "Yes", "No");
            rig.X.Faults = _ => rig.X.Attempts.Count == 1 ? fault : SendFault.None;

            await rig.PublishAsync("1920000000000000005", "details?");
            await rig.WaitForAnsweredAsync(1);

            Assert.That(rig.X.Attempts, Has.Count.EqualTo(1), "X has the DM once");
            Assert.That(rig.X.AllAccepted().Single().MediaId, Is.Not.Null);
            Assert.That(rig.Metrics.Totals.GetValueOrDefault("twitterbot.processor.reply_lookups{outcome=found}"), Is.EqualTo(1));
        }
    }

    public class When_X_cannot_list_the_bots_DMs_for_a_while
    {
        [Test]
        public async Task Should_neither_send_the_reply_nor_take_it_as_sent_until_X_answers()
        {
            await using var rig = await TurnRig.StartAsync();
            rig.X.Faults = _ => rig.X.Attempts.Count == 1 ? SendFault.AcceptThenDrop : SendFault.None;
            rig.X.ListFailures = 2;

            await rig.PublishAsync("1920000000000000009", "hello?");
            await rig.WaitForAnsweredAsync(1);

            Assert.That(rig.X.Attempts, Has.Count.EqualTo(1), "not sent again while X could not tell");
            Assert.That(rig.X.ListRequests, Is.EqualTo(3), "asked again on each retry");
            Assert.That(rig.Metrics.Totals.GetValueOrDefault("twitterbot.processor.reply_lookups{outcome=undecided}"), Is.EqualTo(2));
            Assert.That(rig.Metrics.Totals.GetValueOrDefault("twitterbot.processor.reply_lookups{outcome=found}"), Is.EqualTo(1));
        }
    }

    public class When_the_Processor_stops_before_a_send_began
    {
        [Test]
        public async Task Should_not_look_up_a_reply_whose_send_never_began_during_the_pause()
        {
            await using var rig = await TurnRig.StartAsync(settings => settings["Processor:Replies:PauseBetween"] = "00:00:01");
            rig.Gateway.Answer = _ => ["First", "Second"];
            var crashes = 1;
            rig.Clock.Crash = _ => Interlocked.Decrement(ref crashes) >= 0 ? new SimulatedCrashException() : null;

            await AnswerAfterACrashAsync(rig, "1920000000000000006");

            Assert.That(rig.X.Attempts.Select(dm => dm.Text), Is.EqualTo(new[] { "First", "Second" }));
            Assert.That(rig.X.ListRequests, Is.Zero, "nothing to look up: the second send had not begun");
        }

        [Test]
        public async Task Should_not_look_up_a_reply_whose_send_never_began_during_the_upload()
        {
            await using var rig = await TurnRig.StartAsync();
            rig.Gateway.Reactions = _ => Reaction("A cat", rig.Gateway.CatPictureUrl.ToString());
            var crashes = 1;
            rig.Clock.Crash = _ => Interlocked.Decrement(ref crashes) >= 0 ? new SimulatedCrashException() : null; // X's upload status wait

            await AnswerAfterACrashAsync(rig, "1920000000000000007");

            Assert.That(rig.X.Attempts.Select(dm => (dm.Text, HasMedia: dm.MediaId is not null)), Is.EqualTo(new[] { ("A cat", true) }));
            Assert.That(rig.X.ListRequests, Is.Zero, "nothing to look up: the send had not begun");
        }

        [Test]
        public async Task Should_not_look_up_a_reply_whose_send_never_began_during_the_rate_limit_wait()
        {
            await using var rig = await TurnRig.StartAsync();
            await rig.Database.ScalarAsync<object>(
                $"INSERT INTO rate_limits (bot_user_id, resets_at) VALUES ('{TestCredentials.BotUserId}', '{rig.Clock.GetUtcNow().AddSeconds(30):O}')");
            var crashes = 1;
            rig.Clock.Crash = _ => Interlocked.Decrement(ref crashes) >= 0 ? new SimulatedCrashException() : null;

            await AnswerAfterACrashAsync(rig, "1920000000000000008");

            Assert.That(rig.X.Attempts.Select(dm => dm.Text), Is.EqualTo(new[] { "You said: hello" }));
            Assert.That(rig.X.ListRequests, Is.Zero, "nothing to look up: the send had not begun");
        }

        private static async Task AnswerAfterACrashAsync(TurnRig rig, string eventId)
        {
            await rig.PublishAsync(eventId, "hello");
            await rig.WaitForFaultedAsync(1);
            await rig.PublishAsync(eventId, "hello");
            await rig.WaitForAnsweredAsync(1);
        }
    }
}
