using System.Net;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using Microsoft.Extensions.Logging;
using TwitterBot.Contracts;
using TwitterBot.Processor.Quota;
using TwitterBot.Tests.Support;

namespace TwitterBot.Tests.Integration;

/// <summary>
/// X's money and quota against the real broker, store and Processor, with the fake X enforcing them: the app
/// out of credits (402) or past its usage cap, and a bot's window spent.
/// </summary>
[Category("Integration")]
public static class Quota_Specs
{
    private static readonly TimeSpan Patience = ConversationRig.Patience;

    private static async Task<HttpStatusCode> ReadinessAsync(ProcessorFactory processor)
    {
        using var client = processor.CreateClient();
        using var response = await client.GetAsync(new Uri("/health/ready", UriKind.Relative));
        return response.StatusCode;
    }

    /// <summary>Asks for readiness until it is <paramref name="expected"/> (bounded: a Processor that never gets there fails).</summary>
    private static async Task<HttpStatusCode> ReadinessBecomesAsync(ProcessorFactory processor, HttpStatusCode expected)
    {
        using var deadline = new CancellationTokenSource(Patience);
        HttpStatusCode status;
        while ((status = await ReadinessAsync(processor)) != expected && !deadline.IsCancellationRequested)
        {
            await Task.Delay(TimeSpan.FromMilliseconds(100));
        }

        return status;
    }

    public class When_the_app_runs_out_of_money_mid_burst
    {
        [TestCase(false, TestName = "Should_hold_every_DM_while_X_answers_402_then_answer_each_once_in_order")]
        [TestCase(true, TestName = "Should_hold_every_DM_while_X_answers_429_UsageCapExceeded_then_answer_each_once_in_order")]
        public async Task Should_hold_then_resume(bool usageCap)
        {
            await using var rig = await ConversationRig.StartAsync();
            rig.Settings["Processor:Replies:OutOfCreditsProbeInterval"] = "00:00:01";
            rig.X.PaidSendsLeft = 2;
            rig.X.CapsInsteadOf402 = usageCap;
            // The cap comes while the window still shows quota (xdevplatform/xdk issue #25).
            rig.X.UserWindow = new FakeQuotaWindow(1000, TimeSpan.FromMinutes(15));
            var refused = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
            rig.X.QuotaRefused = (_, _) => refused.TrySetResult();
            var processor = await rig.StartProcessorAsync();

            for (var i = 1; i <= 5; i++)
            {
                await rig.PostAsync($"186000000000001000{i}", $"message {i}");
            }

            await refused.Task.WaitAsync(Patience);
            var whileRefused = await ReadinessBecomesAsync(processor, HttpStatusCode.ServiceUnavailable);
            var refusalsBeforeTopUp = rig.X.QuotaRefusals.Count;
            rig.X.PaidSendsLeft = null; // the operator tops up (or raises the spending limit)

            var sent = await rig.X.WaitForDirectMessagesAsync(5, Patience);
            var afterTopUp = await ReadinessBecomesAsync(processor, HttpStatusCode.OK);

            Assert.Multiple(async () =>
            {
                Assert.That(sent.Select(dm => dm.Text), Is.EqualTo(Enumerable.Range(1, 5).Select(i => $"You said: message {i}")), "each DM answered once, in order");
                Assert.That(rig.X.QuotaRefusals, Is.All.EqualTo(usageCap ? "usage_capped" : "out_of_credits"));
                Assert.That(rig.X.Attempts, Has.Count.EqualTo(5 + rig.X.QuotaRefusals.Count), "no send attempt but the five answers and those refused when the money ran out");
                Assert.That(rig.X.Probes.Count(p => p == "ok"), Is.EqualTo(1), "X probed without a message (users/me) until it answered once, then no more");
                Assert.That(rig.X.Probes.Where(p => p != "ok"), Is.All.EqualTo(usageCap ? "usage_capped" : "out_of_credits"), "the probe is refused like a send");
                Assert.That(refusalsBeforeTopUp, Is.GreaterThanOrEqualTo(1));
                Assert.That(whileRefused, Is.EqualTo(HttpStatusCode.ServiceUnavailable), "readiness degraded while X refuses the app");
                Assert.That(afterTopUp, Is.EqualTo(HttpStatusCode.OK), "ready again once X takes a send");
                Assert.That(processor.Logs.Messages(LogLevel.Error).Count(m => m.Contains("top up the app's credits", StringComparison.Ordinal)), Is.EqualTo(1), "one error log, not one per message or probe");
                Assert.That(processor.Logs.Lines.Count(l => l.Level >= LogLevel.Error && l.Category.StartsWith("TwitterBot.", StringComparison.Ordinal)), Is.EqualTo(1),
                    "no other error of the Processor's own (the host's start-up health probe is not one)");
                Assert.That(await rig.DeadLettersAsync(), Is.Zero);
            });
        }
    }

    /// <summary>Asks until <paramref name="condition"/> holds (bounded: a Processor that never gets there fails the spec).</summary>
    private static async Task<bool> EventuallyAsync(Func<Task<bool>> condition)
    {
        using var deadline = new CancellationTokenSource(Patience);
        while (!await condition())
        {
            if (deadline.IsCancellationRequested)
            {
                return false;
            }

            await Task.Delay(TimeSpan.FromMilliseconds(100));
        }

        return true;
    }

    public class When_the_app_stays_out_of_money_for_hours
    {
        [Test]
        public async Task Should_hold_the_burst_in_RabbitMQ_stop_consuming_then_answer_each_DM_once_in_order()
        {
            await using var rig = await ConversationRig.StartAsync();
            var clock = new ManualTime();
            var probeInterval = TimeSpan.FromMinutes(5);
            rig.Settings["Processor:Replies:OutOfCreditsProbeInterval"] = probeInterval.ToString();
            rig.X.PaidSendsLeft = 2;
            var refusals = System.Threading.Channels.Channel.CreateUnbounded<int>();
            rig.X.QuotaRefused = (_, count) => refusals.Writer.TryWrite(count);
            var probes = System.Threading.Channels.Channel.CreateUnbounded<string>();
            rig.X.Probed = (answer, _) => probes.Writer.TryWrite(answer);
            var processor = await rig.StartProcessorAsync(clock);
            var gate = processor.Services.GetRequiredService<ConsumptionGate>();
            var consumes = processor.CountConsumed<DirectMessageReceived>();
            using var patience = new CancellationTokenSource(Patience);

            for (var i = 1; i <= 5; i++)
            {
                await rig.PostAsync($"186000000000004000{i}", $"message {i}");
            }

            // Credits run out at the third DM: it goes back to its queue, every partition stops.
            await refusals.Reader.ReadAsync(patience.Token);
            var heldAtFirst = await EventuallyAsync(async () => gate.Held().Count == TestSettings.ConversationPartitions
                && await rig.Broker.CountReadyMessagesAsync(TestSettings.PartitionQueues) == 3);

            // Three hours by the Processor's clock: a probe each hour (users/me, no message), each refused; no partition starts.
            var probeAnswers = new List<string>();
            for (var hour = 1; hour <= 3; hour++)
            {
                clock.Advance(TimeSpan.FromHours(1));
                probeAnswers.Add(await probes.Reader.ReadAsync(patience.Token));
            }

            var heldAfterHours = await EventuallyAsync(async () => gate.Held().Count == TestSettings.ConversationPartitions
                && await rig.Broker.CountReadyMessagesAsync(TestSettings.PartitionQueues) == 3);
            var health = await processor.Services.GetRequiredService<HealthCheckService>().CheckHealthAsync();
            var deadLettersWhileHeld = await rig.DeadLettersAsync();
            var attemptsWhileHeld = rig.X.Attempts.Count;
            var givenBackWhileHeld = consumes.Faulted;

            rig.X.PaidSendsLeft = null; // the operator tops up
            clock.Advance(probeInterval);
            var probedAfterTopUp = await probes.Reader.ReadAsync(patience.Token);
            var sent = await rig.X.WaitForDirectMessagesAsync(5, Patience);
            var resumed = await EventuallyAsync(() => Task.FromResult(gate.Held().Count == 0));
            var afterTopUp = await ReadinessBecomesAsync(processor, HttpStatusCode.OK);

            Assert.Multiple(async () =>
            {
                Assert.That(heldAtFirst, Is.True, "every partition stopped, the three unanswered DMs back in RabbitMQ");
                Assert.That(heldAfterHours, Is.True, "after three hours every partition is still stopped, the three DMs in RabbitMQ");
                Assert.That(probeAnswers, Is.EqualTo(new[] { "out_of_credits", "out_of_credits", "out_of_credits" }), "one probe an hour, refused like a send");
                Assert.That(givenBackWhileHeld, Is.EqualTo(1), "given back once (one delivery), not once per probe, and never retried");
                Assert.That(deadLettersWhileHeld, Is.Zero, "nothing in _error while held");
                Assert.That(attemptsWhileHeld, Is.EqualTo(2 + 1), "two sent, then the refusal: the probes send no DM");
                Assert.That(probedAfterTopUp, Is.EqualTo("ok"), "the probe after the top-up gets through");
                Assert.That(health.Entries["x-quota"].Status, Is.EqualTo(HealthStatus.Degraded));
                Assert.That(health.Entries["x-quota"].Description, Does.Contain("402"), "readiness says why");
                Assert.That(health.Entries["conversation-partitions"].Status, Is.EqualTo(HealthStatus.Degraded));
                Assert.That(sent.Select(dm => dm.Text), Is.EqualTo(Enumerable.Range(1, 5).Select(i => $"You said: message {i}")), "each DM answered once, in order");
                Assert.That(resumed, Is.True, "every partition consumed again");
                Assert.That(afterTopUp, Is.EqualTo(HttpStatusCode.OK));
                Assert.That(processor.Logs.Messages(LogLevel.Error).Count(m => m.Contains("top up the app's credits", StringComparison.Ordinal)), Is.EqualTo(1));
                Assert.That(await rig.DeadLettersAsync(), Is.Zero);
            });
        }
    }

    public class When_the_app_stays_out_of_money_for_more_probes_than_a_message_has_deliveries
    {
        [Test]
        public async Task Should_answer_every_DM_once_in_order_with_nothing_dead_lettered_no_fault_published_and_few_deliveries()
        {
            await using var rig = await ConversationRig.StartAsync();
            rig.Settings["Processor:Replies:OutOfCreditsProbeInterval"] = "00:00:01";
            rig.X.PaidSendsLeft = 2;
            var probes = System.Threading.Channels.Channel.CreateUnbounded<int>();
            rig.X.Probed = (_, count) => probes.Writer.TryWrite(count);
            var processor = await rig.StartProcessorAsync();
            var gate = processor.Services.GetRequiredService<ConsumptionGate>();
            const int dms = 6;
            for (var i = 1; i <= dms; i++)
            {
                await rig.PostAsync($"186000000000006000{i}", $"message {i}");
            }

            // More refused probes than RabbitMQ allows a message deliveries: were each probe to take a message, the first would be in _error by now.
            var enough = Conventions.Queues.DurableQueues.DeliveryLimit + 2;
            using (var patience = new CancellationTokenSource(TimeSpan.FromSeconds(enough * 2) + Patience))
            {
                while (await probes.Reader.ReadAsync(patience.Token) < enough)
                {
                }
            }

            var stopped = gate.Held().Count;
            var waiting = new List<PeekedMessage>();
            foreach (var queue in TestSettings.PartitionQueues)
            {
                waiting.AddRange(await rig.Broker.PeekAsync(queue));
            }

            var attemptsWhileHeld = rig.X.Attempts.Count;
            var deadLettersWhileHeld = await rig.DeadLettersAsync();
            var faultExchanges = (await rig.Broker.ExchangeNamesAsync()).Where(e => e.Contains("Fault", StringComparison.Ordinal)).ToList();

            rig.X.PaidSendsLeft = null; // the operator tops up
            var sent = await rig.X.WaitForDirectMessagesAsync(dms, Patience);
            var resumed = await EventuallyAsync(() => Task.FromResult(gate.Held().Count == 0));

            Assert.Multiple(async () =>
            {
                Assert.That(stopped, Is.EqualTo(TestSettings.ConversationPartitions), "every partition stays stopped while X refuses the probes");
                Assert.That(waiting, Has.Count.EqualTo(dms - 2), "the four unanswered DMs wait in RabbitMQ");
                Assert.That(waiting.Select(m => m.DeliveryCount), Is.All.LessThanOrEqualTo(2), "a held message was given back once or twice, not once per probe");
                Assert.That(rig.X.Probes.Take(enough), Is.All.EqualTo("out_of_credits"));
                Assert.That(attemptsWhileHeld, Is.EqualTo(3), "two sent, one refused: the probes send no DM");
                Assert.That(deadLettersWhileHeld, Is.Zero, "nothing in _error while held");
                Assert.That(faultExchanges, Is.Empty, "giving a held message back published no Fault<T> (MassTransit declares its exchange on the first publish)");
                Assert.That(sent.Select(dm => dm.Text), Is.EqualTo(Enumerable.Range(1, dms).Select(i => $"You said: message {i}")), "each DM answered in order");
                Assert.That(rig.X.Attempts, Has.Count.EqualTo(dms + 1), "each answered exactly once: the refused send is the only extra attempt");
                Assert.That(rig.X.Probes.Count(p => p == "ok"), Is.EqualTo(1));
                Assert.That(resumed, Is.True);
                Assert.That(await rig.DeadLettersAsync(), Is.Zero);
            });
        }
    }

    public class When_a_bots_window_is_spent
    {
        [Test]
        public async Task Should_make_no_send_call_until_the_reset_then_send_in_order()
        {
            await using var rig = await ConversationRig.StartAsync();
            rig.X.UserWindow = new FakeQuotaWindow(2, TimeSpan.FromSeconds(2));
            await rig.StartProcessorAsync();

            for (var i = 1; i <= 5; i++)
            {
                await rig.PostAsync($"186000000000002000{i}", $"message {i}");
            }

            var sent = await rig.X.WaitForDirectMessagesAsync(5, Patience);

            Assert.Multiple(async () =>
            {
                Assert.That(sent.Select(dm => dm.Text), Is.EqualTo(Enumerable.Range(1, 5).Select(i => $"You said: message {i}")));
                Assert.That(rig.X.QuotaRefusals, Is.Empty, "the answer that left nothing was read: no call met a spent window");
                Assert.That(rig.X.Attempts, Has.Count.EqualTo(5), "zero wasted calls");
                Assert.That(await rig.DeadLettersAsync(), Is.Zero);
            });
        }
    }

    public class When_a_bots_window_is_spent_for_hours
    {
        [Test]
        public async Task Should_stop_only_the_partition_that_met_it_until_the_reset_with_nothing_dead_lettered()
        {
            await using var rig = await ConversationRig.StartAsync();
            var clock = new ManualTime();
            rig.X.Clock = clock;
            rig.X.UserWindow = new FakeQuotaWindow(2, TimeSpan.FromHours(3));
            var processor = await rig.StartProcessorAsync(clock);
            var gate = processor.Services.GetRequiredService<ConsumptionGate>();

            for (var i = 1; i <= 4; i++)
            {
                await rig.PostAsync($"186000000000005000{i}", $"message {i}");
            }

            await rig.X.WaitForDirectMessagesAsync(2, Patience);
            var held = await EventuallyAsync(async () => gate.Held().Count == 1 && await rig.Broker.CountReadyMessagesAsync(TestSettings.PartitionQueues) == 2);
            var holds = gate.Held();
            var app = gate.HeldApp;
            var deadLettersWhileHeld = await rig.DeadLettersAsync();
            var waiting = new List<PeekedMessage>();
            foreach (var queue in TestSettings.PartitionQueues)
            {
                waiting.AddRange(await rig.Broker.PeekAsync(queue));
            }

            clock.Advance(TimeSpan.FromHours(3) + TimeSpan.FromSeconds(2));
            var sent = await rig.X.WaitForDirectMessagesAsync(4, Patience);
            var resumed = await EventuallyAsync(() => Task.FromResult(gate.Held().Count == 0));

            Assert.Multiple(async () =>
            {
                Assert.That(held, Is.True, "the partition that met the spent window stopped, its two DMs back in RabbitMQ");
                Assert.That(holds.Select(h => h.Reason), Is.All.Contains("window on X is spent"));
                Assert.That(app, Is.Null, "one bot's window does not hold the app (the other partitions, the other bots)");
                Assert.That(deadLettersWhileHeld, Is.Zero);
                Assert.That(waiting, Has.Count.EqualTo(2));
                Assert.That(waiting.Select(m => m.DeliveryCount), Is.All.LessThanOrEqualTo(1), "the hold cost one delivery, not one per wait");
                Assert.That(sent.Select(dm => dm.Text), Is.EqualTo(Enumerable.Range(1, 4).Select(i => $"You said: message {i}")), "answered once each, in order, after the reset");
                Assert.That(rig.X.Attempts, Has.Count.EqualTo(4), "no call met the spent window");
                Assert.That(resumed, Is.True);
                Assert.That(await rig.DeadLettersAsync(), Is.Zero);
            });
        }
    }

    public class When_a_reply_could_only_go_out_after_MaxAge
    {
        [Test]
        public async Task Should_reject_it_as_too_old_without_calling_X()
        {
            await using var rig = await ConversationRig.StartAsync();
            rig.Settings["Processor:Replies:MaxAge"] = "00:01:00"; // the fixture's DM is from 2024
            var processor = await rig.StartProcessorAsync();
            var rejections = await processor.SubscribeAsync<DirectMessageRejected>();

            await rig.PostAsync("1860000000000030001", "still there?");

            using var timeout = new CancellationTokenSource(Patience);
            var rejected = await rejections.ReadAsync(timeout.Token);
            Assert.Multiple(async () =>
            {
                Assert.That((rejected.EventId, rejected.Reason, rejected.HttpStatus, rejected.ReplyIndex), Is.EqualTo(("1860000000000030001", "too old", 0, 0)));
                Assert.That(rig.X.Attempts, Is.Empty, "X is not asked to deliver an answer too late to help");
                Assert.That(await rig.DeadLettersAsync(), Is.Zero);
            });
        }
    }
}
