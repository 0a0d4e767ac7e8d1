using System.Diagnostics;
using System.Net;
using TwitterBot.Tests.Support;

namespace TwitterBot.Tests.Integration;

/// <summary>
/// The Ingress's promise on a real RabbitMQ: 200 means the event is durably queued, anything else means X
/// must retry. The broker is taken away through a TCP relay that drops and refuses connections.
/// </summary>
[Category("Integration")]
public static class IngressDurability_Specs
{
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(60);

    public class When_RabbitMQ_goes_away_and_comes_back
    {
        [Test]
        public async Task Should_answer_503_within_Xs_budget_then_200_to_Xs_retry_with_exactly_one_message_queued()
        {
            await using var setup = await IngressBehindRelay.StartAsync();
            var (broker, relay, ingress) = (setup.Broker, setup.Relay, setup.Ingress);
            await setup.WarmUpAsync("1000000000000000001");

            relay.Cut();
            var delivery = IngressFactory.DirectMessage("1000000000000000002");
            var clock = Stopwatch.StartNew();
            using (var whileDown = await ingress.PostWebhookAsync(delivery))
            {
                Assert.That(whileDown.StatusCode, Is.EqualTo(HttpStatusCode.ServiceUnavailable), "the publish timeout, not the broker, decides when X is answered");
                TestContext.Out.WriteLine($"503 answered after {clock.ElapsedMilliseconds} ms");
            }

            relay.Restore();
            var answers = new List<HttpStatusCode>();
            using var deadline = new CancellationTokenSource(Patience);
            while (answers.LastOrDefault() != HttpStatusCode.OK)
            {
                await Task.Delay(TimeSpan.FromMilliseconds(500), deadline.Token);
                using var retry = await ingress.PostWebhookAsync(delivery);
                answers.Add(retry.StatusCode);
            }

            Assert.That(answers, Is.All.EqualTo(HttpStatusCode.ServiceUnavailable).Or.EqualTo(HttpStatusCode.OK));
            Assert.That(await broker.CountReadyMessagesAsync(TestSettings.PartitionQueues), Is.EqualTo(2),
                "the warm-up event and the retried event, each exactly once");
        }
    }

    public class When_RabbitMQ_stops_confirming_and_then_catches_up
    {
        [Test]
        public async Task Should_answer_503_within_Xs_budget_and_let_Xs_retry_await_the_same_publish()
        {
            await using var setup = await IngressBehindRelay.StartAsync();
            var (broker, relay, ingress) = (setup.Broker, setup.Relay, setup.Ingress);
            await setup.WarmUpAsync("1000000000000000011");

            relay.Stall();
            var delivery = IngressFactory.DirectMessage("1000000000000000012");
            var clock = Stopwatch.StartNew();
            using (var whileStalled = await ingress.PostWebhookAsync(delivery))
            {
                Assert.That(whileStalled.StatusCode, Is.EqualTo(HttpStatusCode.ServiceUnavailable), "the publish timeout, not the broker, decides when X is answered");
                TestContext.Out.WriteLine($"503 answered after {clock.ElapsedMilliseconds} ms");
            }

            relay.Restore();
            var answers = new List<HttpStatusCode>();
            using var deadline = new CancellationTokenSource(Patience);
            while (answers.LastOrDefault() != HttpStatusCode.OK)
            {
                using var retry = await ingress.PostWebhookAsync(delivery);
                answers.Add(retry.StatusCode);
                await Task.Delay(answers.Last() == HttpStatusCode.OK ? TimeSpan.Zero : TimeSpan.FromMilliseconds(500), deadline.Token);
            }

            Assert.That(answers, Is.All.EqualTo(HttpStatusCode.ServiceUnavailable).Or.EqualTo(HttpStatusCode.OK));

            Assert.That(await broker.CountReadyMessagesAsync(TestSettings.PartitionQueues), Is.EqualTo(2),
                "the publish still in flight when X was answered 503 was awaited by the retry, not repeated");
        }
    }

    public class When_the_broker_is_unreachable
    {
        [Test]
        public async Task Should_keep_answering_crc_and_liveness_but_not_readiness_or_events()
        {
            await using var setup = await IngressBehindRelay.StartAsync();
            var (relay, ingress) = (setup.Relay, setup.Ingress);
            relay.Cut();
            var client = ingress.CreateClient();

            using var crc = await client.GetAsync(new Uri("/webhooks?crc_token=abc123", UriKind.Relative));
            using var live = await client.GetAsync(new Uri("/health/live", UriKind.Relative));
            using var ready = await client.GetAsync(new Uri("/health/ready", UriKind.Relative));
            using var post = await ingress.PostWebhookAsync(XSamples.Bytes(XSamples.DirectMessage));

            Assert.That(crc.StatusCode, Is.EqualTo(HttpStatusCode.OK));
            Assert.That(live.StatusCode, Is.EqualTo(HttpStatusCode.OK));
            Assert.That(ready.StatusCode, Is.EqualTo(HttpStatusCode.ServiceUnavailable));
            Assert.That(post.StatusCode, Is.EqualTo(HttpStatusCode.ServiceUnavailable));

            relay.Restore();
            using var deadline = new CancellationTokenSource(Patience);
            while ((await client.GetAsync(new Uri("/health/ready", UriKind.Relative), deadline.Token)).StatusCode != HttpStatusCode.OK)
            {
                await Task.Delay(TimeSpan.FromMilliseconds(250), deadline.Token);
            }
        }
    }

    public class When_no_Processor_has_ever_run
    {
        [Test]
        public async Task Should_keep_every_accepted_event_in_durable_quorum_partition_queues()
        {
            await using var broker = await RabbitMqVirtualHost.CreateAsync();
            await using var ingress = new IngressFactory(TestSettings.Common(broker), useTestHarness: false);

            var answers = new List<HttpStatusCode>();
            for (var i = 0; i < 5; i++)
            {
                using var response = await ingress.PostWebhookAsync(IngressFactory.DirectMessage($"100000000000000010{i}", senderId: $"300196935{i}"));
                answers.Add(response.StatusCode);
            }

            Assert.That(answers, Is.All.EqualTo(HttpStatusCode.OK));
            Assert.That(await broker.CountReadyMessagesAsync(TestSettings.PartitionQueues), Is.EqualTo(5));
            foreach (var partition in TestSettings.PartitionQueues)
            {
                var queue = await broker.GetQueueAsync(partition);
                Assert.That((queue.Durable, queue.Type), Is.EqualTo((true, "quorum")), partition);
                Assert.That(queue.Arguments["x-single-active-consumer"].GetBoolean(), Is.True, partition);
            }
        }
    }

    public class When_a_Processor_has_declared_its_own_route_to_the_queue
    {
        [Test]
        public async Task Should_still_queue_each_event_once()
        {
            await using var broker = await RabbitMqVirtualHost.CreateAsync();
            await using var store = await PostgresDatabase.CreateAsync();
            var settings = TestSettings.Common(broker, store);
            settings["Gateway:Url"] = "http://127.0.0.1:9/";
            await using (var processor = new ProcessorFactory(settings))
            {
                await processor.WaitUntilReadyAsync(Patience);
            }

            await using var ingress = new IngressFactory(settings, useTestHarness: false);
            for (var i = 0; i < 3; i++)
            {
                using var response = await ingress.PostWebhookAsync(IngressFactory.DirectMessage($"100000000000000020{i}"));
                Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.OK));
            }

            Assert.That(await broker.CountReadyMessagesAsync(TestSettings.PartitionQueues), Is.EqualTo(3));
        }
    }
}
