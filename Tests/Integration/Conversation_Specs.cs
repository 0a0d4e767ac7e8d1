using System.Threading.Channels;
using Microsoft.AspNetCore.Http;
using TwitterBot.Contracts;
using TwitterBot.Tests.Support;

namespace TwitterBot.Tests.Integration;

/// <summary>
/// The Processor's guarantees per conversation (one bot account × one X user), on the real broker and
/// store: order, exactly-once effect per X event, nothing lost or repeated on a crash, and X's and the
/// gateway's failures handled by kind.
/// </summary>
[Category("Integration")]
public static class Conversation_Specs
{
    private const string User = "3001969357";
    private static readonly TimeSpan Patience = ConversationRig.Patience;

    public class When_a_user_sends_a_burst_through_two_replicas_while_the_first_message_is_retried
    {
        [Test]
        public async Task Should_ask_the_gateway_and_reply_in_the_order_the_user_wrote()
        {
            await using var rig = await ConversationRig.StartAsync();
            var failures = 1;
            rig.Gateway.Override = request => Interlocked.Decrement(ref failures) >= 0 ? Results.StatusCode(503) : null;
            await rig.StartProcessorAsync();
            await rig.StartProcessorAsync();

            for (var i = 1; i <= 5; i++)
            {
                await rig.PostAsync($"186000000000000000{i}", $"message {i}");
            }

            var sent = await rig.X.WaitForDirectMessagesAsync(5, Patience);
            Assert.That(sent.Select(dm => dm.Text), Is.EqualTo(Enumerable.Range(1, 5).Select(i => $"You said: message {i}")));
            Assert.That(rig.Gateway.AskedTexts, Is.EqualTo(new[] { "message 1", "message 1", "message 2", "message 3", "message 4", "message 5" }),
                "the failed first message was retried before the next one was asked about");
            Assert.That(await rig.DeadLettersAsync(), Is.Zero);
        }
    }

    public class When_the_same_event_is_delivered_three_times
    {
        [Test]
        public async Task Should_ask_the_gateway_once_and_reply_once()
        {
            await using var rig = await ConversationRig.StartAsync();
            var processor = await rig.StartProcessorAsync();
            var consumed = processor.CountConsumed<DirectMessageReceived>();

            for (var delivery = 0; delivery < 3; delivery++)
            {
                await rig.PostAsync("1860000000000000100", "hello once");
            }

            await consumed.WaitForAsync(3, Patience);
            Assert.That(consumed.Faulted, Is.Zero);
            Assert.That(rig.Gateway.AskedTexts, Is.EqualTo(new[] { "hello once" }));
            Assert.That(rig.X.Attempts.Select(dm => dm.Text), Is.EqualTo(new[] { "You said: hello once" }));
        }
    }

    public class When_X_rate_limits_the_bot
    {
        [Test]
        public async Task Should_wait_for_the_reset_then_deliver_with_nothing_dead_lettered()
        {
            await using var rig = await ConversationRig.StartAsync();
            var resetsAt = DateTimeOffset.UtcNow.AddSeconds(5);
            rig.X.Override = _ => rig.X.Attempts.Count == 1 ? FakeXApi.TooManyRequests(resetsAt) : null;
            await rig.StartProcessorAsync();

            await rig.PostAsync("1860000000000000200", "are you there?");

            var sent = await rig.X.WaitForDirectMessagesAsync(1, Patience);
            Assert.That(sent.Single().Text, Is.EqualTo("You said: are you there?"));
            Assert.That(rig.X.Attempts, Has.Count.EqualTo(2), "one refused with 429, one after the reset; no busy retries");
            Assert.That(DateTimeOffset.UtcNow, Is.GreaterThanOrEqualTo(resetsAt.AddSeconds(-1)), "the second attempt waited for the reset");
            Assert.That(await rig.Store.ScalarAsync<long>($"SELECT count(*) FROM rate_limits WHERE bot_user_id = '{TestCredentials.BotUserId}'"), Is.EqualTo(1),
                "the reset is in the shared store, where every replica reads it");
            Assert.That(await rig.DeadLettersAsync(), Is.Zero);
        }
    }

    public class When_X_refuses_a_reply_for_good
    {
        [Test]
        public async Task Should_publish_DirectMessageRejected_and_not_retry()
        {
            await using var rig = await ConversationRig.StartAsync();
            rig.X.Override = _ => FakeXApi.Refused(349, "You cannot send messages to this user.");
            var processor = await rig.StartProcessorAsync();
            var rejections = await processor.SubscribeAsync<DirectMessageRejected>();
            var consumed = processor.CountConsumed<DirectMessageReceived>();

            await rig.PostAsync("1860000000000000300", "hi");

            using var timeout = new CancellationTokenSource(Patience);
            var rejected = await rejections.ReadAsync(timeout.Token);
            await consumed.WaitForAsync(1, Patience);
            Assert.That((rejected.EventId, rejected.RecipientId, rejected.ErrorCode, rejected.HttpStatus), Is.EqualTo(("1860000000000000300", User, 349, 403)));
            Assert.That(rig.X.Attempts, Has.Count.EqualTo(1));
            Assert.That(consumed.Faulted, Is.Zero);
            Assert.That(await rig.DeadLettersAsync(), Is.Zero);
        }
    }

    public class When_the_gateway_is_down_for_30_seconds
    {
        [Test]
        public async Task Should_answer_every_message_once_it_is_back_with_nothing_dead_lettered()
        {
            await using var rig = await ConversationRig.StartAsync();
            var down = true;
            rig.Gateway.Override = _ => Volatile.Read(ref down) ? Results.StatusCode(502) : null;
            await rig.StartProcessorAsync();

            for (var i = 1; i <= 3; i++)
            {
                await rig.PostAsync($"186000000000000040{i}", $"during the outage {i}", senderId: $"300196935{i}");
            }

            await Task.Delay(TimeSpan.FromSeconds(30));
            Volatile.Write(ref down, false);

            var sent = await rig.X.WaitForDirectMessagesAsync(3, TimeSpan.FromMinutes(3));
            Assert.That(sent.Select(dm => dm.Text), Is.EquivalentTo(Enumerable.Range(1, 3).Select(i => $"You said: during the outage {i}")));
            Assert.That(await rig.DeadLettersAsync(), Is.Zero);
        }
    }

    public class When_the_Processor_is_killed_after_X_accepted_a_reply_but_before_it_was_recorded
    {
        [Test]
        public async Task Should_find_the_reply_on_X_and_send_only_the_rest_after_a_restart()
        {
            await using var rig = await ConversationRig.StartAsync();
            rig.Gateway.Answer = text => [$"First part about {text}", $"Second part about {text}"];
            rig.X.HoldAnswers = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);

            var doomed = await rig.StartProcessorProcessAsync();
            await rig.PostAsync("1860000000000000600", "the lost answer");
            await rig.X.WaitForDirectMessagesAsync(1, Patience);
            await doomed.KillAsync();
            rig.X.HoldAnswers.SetResult();
            rig.X.HoldAnswers = null;

            await rig.StartProcessorProcessAsync();
            var sent = await rig.X.WaitForDirectMessagesAsync(2, Patience);

            Assert.That(sent.Select(dm => dm.Text), Is.EqualTo(new[] { "First part about the lost answer", "Second part about the lost answer" }));
            Assert.That(rig.X.Attempts, Has.Count.EqualTo(2), "the first reply was found on X, not sent again");
            Assert.That(rig.Gateway.AskedTexts, Is.EqualTo(new[] { "the lost answer" }));
            Assert.That(await rig.DeadLettersAsync(), Is.Zero);
        }
    }

    public class When_the_Processor_is_killed_after_the_gateway_answered_and_before_the_replies_went_out
    {
        [Test]
        public async Task Should_deliver_every_reply_after_a_restart_and_ask_the_gateway_once()
        {
            await using var rig = await ConversationRig.StartAsync();
            rig.Gateway.Answer = text => [$"First part about {text}", $"Second part about {text}"];
            var resetsAt = DateTimeOffset.UtcNow.AddSeconds(8);
            var attempted = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
            rig.X.Override = _ =>
            {
                attempted.TrySetResult();
                return rig.X.Attempts.Count == 1 ? FakeXApi.TooManyRequests(resetsAt) : null;
            };

            var doomed = await rig.StartProcessorProcessAsync();
            await rig.PostAsync("1860000000000000500", "the crash");
            await attempted.Task.WaitAsync(Patience);
            await doomed.KillAsync();

            var survivor = await rig.StartProcessorProcessAsync();
            IReadOnlyList<SentDirectMessage> sent;
            try
            {
                sent = await rig.X.WaitForDirectMessagesAsync(2, Patience);
            }
            catch (OperationCanceledException)
            {
                Assert.Fail($"No replies after the restart.\n--- killed ---\n{doomed.Output}\n--- restarted ---\n{survivor.Output}");
                throw;
            }

            Assert.That(sent.Select(dm => dm.Text), Is.EqualTo(new[] { "First part about the crash", "Second part about the crash" }));
            Assert.That(rig.Gateway.AskedTexts, Is.EqualTo(new[] { "the crash" }), "the stored answer was used after the restart");
            Assert.That(rig.X.Attempts, Has.Count.EqualTo(3), "one 429 before the kill, then each reply once");
            Assert.That(await rig.DeadLettersAsync(), Is.Zero);
        }
    }
}
