using System.Net;
using System.Text.Json;
using Microsoft.Extensions.Configuration;
using RabbitMQ.Client;
using TwitterBot.Processor.CommandLine;
using TwitterBot.Tests.Support;

namespace TwitterBot.Tests.Integration;

/// <summary>
/// What the services declare on a real RabbitMQ, read back through the management API: every queue says
/// what becomes of a message redelivered too often, so that no RabbitMQ version decides it by a default
/// (4.x drops a quorum queue's message after 20 deliveries when no dead-letter target is set).
/// </summary>
[Category("Integration")]
public static class DurableQueues_Specs
{
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(60);

    private static IEnumerable<string> WorkQueues =>
        TestSettings.PartitionQueues.Append("bot-access-revoked").Append("replay-job-status-reported");

    /// <summary>A work queue: replicated, one consumer at a time, parked in its _error queue after 20 redeliveries.</summary>
    private static string WorkQueue(string queue) =>
        "quorum durable x-dead-letter-exchange=\"\" x-dead-letter-routing-key=\"" + queue + "_error\" x-dead-letter-strategy=\"at-least-once\" " +
        "x-delivery-limit=20 x-overflow=\"reject-publish\" x-queue-type=\"quorum\" x-quorum-initial-group-size=3 x-single-active-consumer=true";

    /// <summary>A parking queue: nothing counts its deliveries, nothing drops or moves what it holds.</summary>
    private const string ParkingQueue = "classic durable x-queue-type=\"classic\"";

    private static string Describe(QueueInfo queue) =>
        string.Join(' ', new[] { queue.Type, queue.Durable ? "durable" : "transient" }
            .Concat(queue.Arguments.OrderBy(a => a.Key, StringComparer.Ordinal).Select(a => $"{a.Key}={a.Value.GetRawText()}")));

    private static async Task WaitUntilReadyAsync(HttpClient client)
    {
        using var deadline = new CancellationTokenSource(Patience);
        while ((await client.GetAsync(new Uri("/health/ready", UriKind.Relative), deadline.Token)).StatusCode != HttpStatusCode.OK)
        {
            await Task.Delay(TimeSpan.FromMilliseconds(100), deadline.Token);
        }
    }

    public class When_either_service_has_started
    {
        [Test]
        public async Task Should_have_declared_every_work_queue_with_a_delivery_limit_and_its_error_queue_as_dead_letter_target()
        {
            await using var ingressBroker = await RabbitMqVirtualHost.CreateAsync();
            await using var processorBroker = await RabbitMqVirtualHost.CreateAsync();
            await using var store = await PostgresDatabase.CreateAsync();
            await using (var ingress = new IngressFactory(TestSettings.Common(ingressBroker), useTestHarness: false))
            {
                using var client = ingress.CreateClient();
                await WaitUntilReadyAsync(client);
            }

            var settings = TestSettings.Common(processorBroker, store);
            settings["Gateway:Url"] = "http://127.0.0.1:9/";
            await using (var processor = new ProcessorFactory(settings))
            {
                await processor.WaitUntilReadyAsync(Patience);
            }

            foreach (var queue in WorkQueues)
            {
                var declaredByIngress = Describe(await ingressBroker.GetQueueAsync(queue));
                Assert.That(declaredByIngress, Is.EqualTo(WorkQueue(queue)), $"{queue}, declared by the Ingress");
                Assert.That(Describe(await processorBroker.GetQueueAsync(queue)), Is.EqualTo(declaredByIngress), $"{queue}, declared by the Processor");
                Assert.That(Describe(await ingressBroker.GetQueueAsync(queue + "_error")), Is.EqualTo(ParkingQueue), $"{queue}_error, declared by the Ingress");
                Assert.That(Describe(await processorBroker.GetQueueAsync(queue + "_error")), Is.EqualTo(ParkingQueue), $"{queue}_error, declared by the Processor");
            }
        }
    }

    public class When_a_message_kills_its_consumer_every_time
    {
        [Test]
        public async Task Should_park_it_in_its_error_queue_once_redelivered_past_the_limit()
        {
            await using var broker = await RabbitMqVirtualHost.CreateAsync();
            await using var ingress = new IngressFactory(TestSettings.Common(broker), useTestHarness: false);
            using (var accepted = await ingress.PostWebhookAsync(IngressFactory.DirectMessage("1000000000000000301")))
            {
                Assert.That(accepted.StatusCode, Is.EqualTo(HttpStatusCode.OK));
            }

            string? partition = null;
            foreach (var queue in TestSettings.PartitionQueues)
            {
                partition = await broker.CountReadyMessagesAsync(queue) == 1 ? queue : partition;
            }

            Assert.That(partition, Is.Not.Null, "the DM is in one partition");
            var errorQueue = partition + "_error";

            // A consumer that never gets to acknowledge: each delivery ends with its channel closing under it,
            // as when the Processor's process is killed or its connection lost while handling the message.
            await using var connection = await broker.ConnectAsync();
            var deliveries = 0;
            while (deliveries < 50 && await broker.CountMessagesIfAnyAsync(errorQueue) == 0)
            {
                await using var channel = await connection.CreateChannelAsync();
                await ReceiveOneAsync(channel, partition!);
                deliveries++;
                await channel.CloseAsync();
                await WaitUntilBackOrParkedAsync(broker, partition!, errorQueue);
            }

            Assert.That(await broker.CountMessagesIfAnyAsync(errorQueue), Is.EqualTo(1), $"parked in {errorQueue} after {deliveries} deliveries, not dropped and not redelivered for ever");
            var parked = await broker.PeekAsync(errorQueue);
            Assert.That(parked[0].Header("x-first-death-reason"), Is.EqualTo("delivery_limit"));
            Assert.That(parked[0].Header("x-first-death-queue"), Is.EqualTo(partition));
            Assert.That(deliveries, Is.EqualTo(21), "the first delivery and 20 redeliveries");
            Assert.That(await broker.CountReadyMessagesAsync(partition!), Is.Zero);

            using var output = new StringWriter();
            var configuration = new ConfigurationBuilder().AddInMemoryCollection(TestSettings.Common(broker)).Build();
            Assert.That(await ProcessorCommandLine.RunAsync(["dead-letters", "list"], configuration, output), Is.Zero);
            Assert.That(output.ToString(), Does.Contain($"{errorQueue}\t{parked[0].MessageId}\t").And.Contain("RabbitMQ.delivery_limit").And.Not.Contain("\t\tRabbitMQ.").And.Contain("1 dead letters"),
                "listed with when and why RabbitMQ parked it");
        }

        private static async Task ReceiveOneAsync(IChannel channel, string queue)
        {
            var received = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
            var consumer = new RabbitMQ.Client.Events.AsyncEventingBasicConsumer(channel);
            consumer.ReceivedAsync += (_, _) =>
            {
                received.TrySetResult();
                return Task.CompletedTask;
            };
            await channel.BasicQosAsync(0, 1, false);
            await channel.BasicConsumeAsync(queue, autoAck: false, consumer);
            await received.Task.WaitAsync(Patience);
        }

        /// <summary>The returned delivery is either ready again in its queue or parked in the error queue.</summary>
        private static async Task WaitUntilBackOrParkedAsync(RabbitMqVirtualHost broker, string queue, string errorQueue)
        {
            using var deadline = new CancellationTokenSource(Patience);
            while (await broker.CountReadyMessagesAsync(queue) == 0 && await broker.CountMessagesIfAnyAsync(errorQueue) == 0)
            {
                await Task.Delay(TimeSpan.FromMilliseconds(50), deadline.Token);
            }
        }
    }

    public class When_a_queue_was_declared_with_other_arguments_by_an_earlier_version
    {
        /// <summary>What the services declared before every queue named its delivery limit and dead-letter target.</summary>
        private static readonly Dictionary<string, object?> EarlierArguments = new()
        {
            ["x-queue-type"] = "quorum",
            ["x-single-active-consumer"] = true,
        };

        [Test]
        public async Task Should_stop_the_Ingress_at_start_naming_the_queue_and_what_to_do()
        {
            await using var broker = await RabbitMqVirtualHost.CreateAsync();
            await broker.DeclareQueueAsync("bot-access-revoked", EarlierArguments);
            await using var ingress = new IngressFactory(TestSettings.Common(broker), useTestHarness: false);

            var failure = Assert.Throws(Is.InstanceOf<Exception>(), () => ingress.CreateClient())!.ToString();

            Assert.That(failure, Does.Contain("Queue 'bot-access-revoked'").And.Contain("x-delivery-limit").And.Contain("README"));
        }

        [Test]
        public async Task Should_stop_the_Processor_at_start_naming_the_queue_and_what_to_do()
        {
            await using var broker = await RabbitMqVirtualHost.CreateAsync();
            await using var store = await PostgresDatabase.CreateAsync();
            var partition = TestSettings.PartitionQueues.First();
            await broker.DeclareQueueAsync(partition, EarlierArguments);
            var settings = TestSettings.Common(broker, store);
            settings["Gateway:Url"] = "http://127.0.0.1:9/";
            await using var processor = new ProcessorFactory(settings);

            var failure = Assert.Throws(Is.InstanceOf<Exception>(), () => processor.CreateClient())!.ToString();

            Assert.That(failure, Does.Contain($"Queue '{partition}'").And.Contain("x-delivery-limit").And.Contain("README"));
        }
    }
}
