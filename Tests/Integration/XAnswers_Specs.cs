using MassTransit;
using Microsoft.Extensions.Logging;
using TwitterBot.Contracts;
using TwitterBot.Processor.Conversations;
using TwitterBot.Tests.Support;

namespace TwitterBot.Tests.Integration;

/// <summary>X's answers, handled by what they prove: 401 is not revocation, an old revoke does not revoke new tokens, a 429 without a usable reset still waits.</summary>
[Category("Integration")]
public static class XAnswers_Specs
{
    private static Task<long> RevokedBotsAsync(TurnRig rig) => rig.Database.ScalarAsync<long>("SELECT count(*) FROM revoked_bots");

    public class When_X_answers_401_with_a_code_that_is_not_revocation
    {
        [TestCase(32, "Could not authenticate you.", TestName = "Should_retry_and_deliver_after_32_could_not_authenticate")]
        [TestCase(135, "Timestamp out of bounds.", TestName = "Should_retry_and_deliver_after_135_timestamp_out_of_bounds")]
        [TestCase(0, null, TestName = "Should_retry_and_deliver_after_a_401_without_a_code")]
        public async Task Should_keep_the_conversation_log_once_and_count_it(int code, string? message)
        {
            await using var rig = await TurnRig.StartAsync();
            rig.X.Override = _ => rig.X.Attempts.Count <= 2
                ? code == 0 ? Microsoft.AspNetCore.Http.Results.StatusCode(401) : FakeXApi.Error(401, code, message!)
                : null;

            await rig.PublishAsync("1930000000000000001", "hello");
            await rig.WaitForAnsweredAsync(1);

            var turnLogs = rig.Logs.Lines.Where(l => l.Category == typeof(ConversationTurn).FullName && l.Level >= LogLevel.Warning && l.Message.Contains("401", StringComparison.Ordinal));
            Assert.Multiple(async () =>
            {
                Assert.That(rig.X.AllAccepted().Select(dm => dm.Text), Is.EqualTo(new[] { "You said: hello" }));
                Assert.That(await rig.Harness.Published.Any<DirectMessageRejected>(), Is.False, "the conversation goes on");
                Assert.That(await RevokedBotsAsync(rig), Is.Zero, "a 401 alone is no revocation");
                Assert.That(turnLogs.Count(), Is.EqualTo(1), "told once, not once per attempt");
                Assert.That(rig.Metrics.Totals.GetValueOrDefault($"twitterbot.processor.x.auth_failures{{code={code}}}"), Is.EqualTo(2));
            });
        }
    }

    public class When_X_answers_401_code_89
    {
        [Test]
        public async Task Should_revoke_the_token_and_end_the_conversation()
        {
            await using var rig = await TurnRig.StartAsync();
            rig.X.Override = _ => FakeXApi.Error(401, 89, "Invalid or expired token.");

            await rig.PublishAsync("1930000000000000002", "hello");
            await rig.WaitForAnsweredAsync(1);

            Assert.That(await rig.Harness.Published.Any<DirectMessageRejected>(), Is.True);
            Assert.That(await RevokedBotsAsync(rig), Is.EqualTo(1));
            Assert.That(rig.X.Attempts, Has.Count.EqualTo(1));
        }
    }

    public class When_a_revoke_event_is_older_than_the_bots_current_tokens
    {
        [Test]
        public async Task Should_not_revoke_them()
        {
            await using var rig = await TurnRig.StartAsync();

            // The bot had another token a month ago; the current one is first seen now, as after a replacement.
            await rig.Database.ScalarAsync<int>($"WITH gone AS (DELETE FROM bot_tokens_seen) INSERT INTO bot_tokens_seen VALUES ('{TestCredentials.BotUserId}', 'REPLACED00000000', now() - interval '30 days') RETURNING 1");

            // X's Replay (or a late retry) brings back the revoke of tokens replaced since.
            await rig.Harness.Bus.Publish(new BotAccessRevoked
            {
                BotUserId = TestCredentials.BotUserId,
                BotId = TestCredentials.BotId,
                RevokedAt = rig.Clock.GetUtcNow().AddDays(-3),
            });
            Assert.That(await rig.Harness.Consumed.Any<BotAccessRevoked>(), Is.True);
            await rig.PublishAsync("1930000000000000003", "still there?");
            await rig.WaitForAnsweredAsync(1);

            Assert.That(rig.X.AllAccepted().Select(dm => dm.Text), Is.EqualTo(new[] { "You said: still there?" }));
            Assert.That(await RevokedBotsAsync(rig), Is.Zero);
        }

        [Test]
        public async Task Should_revoke_them_when_it_is_newer()
        {
            await using var rig = await TurnRig.StartAsync();
            rig.Clock.Advance(TimeSpan.FromMinutes(1));

            await rig.Harness.Bus.Publish(new BotAccessRevoked { BotUserId = TestCredentials.BotUserId, BotId = TestCredentials.BotId, RevokedAt = rig.Clock.GetUtcNow() });
            Assert.That(await rig.Harness.Consumed.Any<BotAccessRevoked>(), Is.True);
            await rig.PublishAsync("1930000000000000004", "still there?");
            await rig.WaitForAnsweredAsync(1);

            Assert.That(await RevokedBotsAsync(rig), Is.EqualTo(1));
            Assert.That(rig.X.Attempts, Is.Empty);
        }
    }

    public class When_a_revoke_event_predates_the_first_start
    {
        [Test]
        public async Task Should_revoke_the_bots_only_token_ever_seen()
        {
            // Queued while the Processor was not yet deployed: nothing says the token is newer than the revoke.
            await using var rig = await TurnRig.StartAsync();
            await rig.Harness.Bus.Publish(new BotAccessRevoked { BotUserId = TestCredentials.BotUserId, BotId = TestCredentials.BotId, RevokedAt = rig.Clock.GetUtcNow().AddHours(-1) });
            Assert.That(await rig.Harness.Consumed.Any<BotAccessRevoked>(), Is.True);
            await rig.PublishAsync("1930000000000000006", "still there?");
            await rig.WaitForAnsweredAsync(1);

            Assert.That(await RevokedBotsAsync(rig), Is.EqualTo(1));
            Assert.That(await rig.Harness.Published.Any<DirectMessageRejected>(), Is.True);
            Assert.That(rig.X.Attempts, Is.Empty);
        }
    }

    public class When_X_answers_429_without_a_usable_reset
    {
        [TestCase(null, TestName = "Should_wait_a_bounded_growing_default_when_the_reset_is_missing")]
        [TestCase("0", TestName = "Should_wait_a_bounded_growing_default_when_the_reset_is_in_the_past")]
        [TestCase("soon", TestName = "Should_wait_a_bounded_growing_default_when_the_reset_is_unparsable")]
        public async Task Should_not_resend_in_a_tight_loop(string? reset)
        {
            await using var rig = await TurnRig.StartAsync();
            rig.X.Override = _ => rig.X.Attempts.Count <= 4 ? FakeXApi.TooManyRequests(reset) : null;

            await rig.PublishAsync("1930000000000000005", "hello");
            await rig.WaitForAnsweredAsync(1);

            var times = rig.X.AttemptTimes.ToList();
            var gaps = times.Zip(times.Skip(1), (earlier, later) => later - earlier).ToList();
            Assert.That(rig.X.AllAccepted(), Has.Count.EqualTo(1));
            Assert.That(times, Has.Count.EqualTo(5), "four 429s, then the send that went through");
            Assert.That(gaps, Is.All.InRange(TimeSpan.FromMinutes(1), TimeSpan.FromMinutes(15)), "each wait bounded");
            Assert.That(gaps, Is.Ordered.Ascending, "growing with consecutive 429s");
            Assert.That(gaps.Last(), Is.GreaterThan(gaps.First()));
        }
    }
}
