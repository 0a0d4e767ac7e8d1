using System.Net;
using System.Net.Http.Json;
using System.Text.Json.Nodes;
using Microsoft.Extensions.DependencyInjection;
using System.Diagnostics.Metrics;
using TwitterBot.Ingress.Admission;
using TwitterBot.Ingress.Webhooks;
using TwitterBot.Tests.Support;

namespace TwitterBot.Tests.Ingress;

/// <summary>
/// Admission control: past its bounds the Ingress answers a webhook POST 503 with <c>Retry-After</c> at once,
/// rather than after seconds in a queue, while CRC challenges keep being answered; nothing it answered 200
/// is missing from the broker. The broker is held through a <see cref="TcpRelay"/> that stalls it.
/// </summary>
[Category("Integration")]
public static class Admission_Specs
{
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(60);

    private static string EventId(int n) => $"10000000000000{n:D5}";

    public class When_every_slot_is_held_by_a_stalled_broker
    {
        [Test]
        public async Task Should_refuse_the_next_post_at_once_keep_answering_crc_and_take_posts_again_once_the_broker_is_back()
        {
            await using var rig = await AdmissionRig.StartAsync(new()
            {
                ["Ingress:PublishTimeout"] = "00:00:02.8",
                ["Ingress:Admission:MaxConcurrentRequests"] = "2",
                ["Ingress:Admission:QueueLimit"] = "1",
                ["Ingress:Admission:QueueTimeout"] = "00:00:00.2",
                ["Ingress:Admission:RetryAfter"] = "00:00:02",
            });
            var accepted = new List<string> { EventId(1) };
            await rig.PostUntilAcceptedAsync(EventId(1));

            rig.Relay.Stall();
            var held = new[] { EventId(2), EventId(3) }.Select(id => rig.PostAsync(id)).ToList();
            await AdmissionRig.WaitUntilAsync(() => rig.Admission.InFlight == 2);

            using (var refused = await rig.Ingress.PostWebhookAsync(IngressFactory.DirectMessage(EventId(4))))
            {
                var crc = await rig.Ingress.CreateClient().GetFromJsonAsync<JsonObject>(new Uri("/webhooks?crc_token=abc123", UriKind.Relative));
                var heldCompleted = held.Select(post => post.IsCompleted).ToList(); // before anything else eats into their 2.8 s
                using var live = await rig.Ingress.CreateClient().GetAsync(new Uri("/health/live", UriKind.Relative));
                Assert.That(heldCompleted, Is.All.False, "the refusal and the CRC answered while the slots' own POSTs still waited for their confirms");
                Assert.That(refused.StatusCode, Is.EqualTo(HttpStatusCode.ServiceUnavailable));
                Assert.That(refused.Headers.RetryAfter?.Delta, Is.EqualTo(TimeSpan.FromSeconds(2)));
                Assert.That(crc?["response_token"]?.GetValue<string>(), Does.StartWith("sha256="), "CRC never waits behind POSTs");
                Assert.That(live.StatusCode, Is.EqualTo(HttpStatusCode.OK));
                Assert.That(rig.Metrics.Totals.GetValueOrDefault($"{IngressMetrics.UnavailableInstrument}{{reason=queue_timeout}}"), Is.EqualTo(1));
            }

            rig.Relay.Restore();
            foreach (var (post, id) in held.Zip([EventId(2), EventId(3)]))
            {
                var answer = await post;
                Assert.That(answer, Is.EqualTo(HttpStatusCode.OK).Or.EqualTo(HttpStatusCode.ServiceUnavailable));
                if (answer != HttpStatusCode.OK)
                {
                    await rig.PostUntilAcceptedAsync(id); // X retries a 503 only
                }

                accepted.Add(id);
            }

            await rig.PostUntilAcceptedAsync(EventId(4));
            accepted.Add(EventId(4));

            Assert.That(await rig.QueuedEventIdsAsync(), Is.EquivalentTo(accepted), "every event answered 200, each once");
        }
    }

    public class When_the_broker_owes_more_confirms_than_the_bound
    {
        [Test]
        public async Task Should_refuse_new_posts_at_once_until_it_catches_up()
        {
            await using var rig = await AdmissionRig.StartAsync(new()
            {
                ["Ingress:PublishTimeout"] = "00:00:00.5",
                ["Ingress:Admission:MaxOverduePublishes"] = "1",
            });
            await rig.PostUntilAcceptedAsync(EventId(11));

            rig.Relay.Stall();
            Assert.That(await rig.PostAsync(EventId(12)), Is.EqualTo(HttpStatusCode.ServiceUnavailable), "no confirm within the publish timeout");
            using (var refused = await rig.Ingress.PostWebhookAsync(IngressFactory.DirectMessage(EventId(13))))
            {
                Assert.That(refused.StatusCode, Is.EqualTo(HttpStatusCode.ServiceUnavailable));
                Assert.That(refused.Headers.RetryAfter?.Delta, Is.EqualTo(TimeSpan.FromSeconds(1)));
            }

            using var crc = await rig.Ingress.CreateClient().GetAsync(new Uri("/webhooks?crc_token=abc123", UriKind.Relative));
            Assert.That(crc.StatusCode, Is.EqualTo(HttpStatusCode.OK));
            Assert.That(rig.Metrics.Totals.GetValueOrDefault($"{IngressMetrics.UnavailableInstrument}{{reason=publish_timeout}}"), Is.EqualTo(1));
            Assert.That(rig.Metrics.Totals.GetValueOrDefault($"{IngressMetrics.UnavailableInstrument}{{reason=broker_behind}}"), Is.EqualTo(1),
                "refused at the door: its body was never published");

            rig.Relay.Restore();
            await AdmissionRig.WaitUntilAsync(() => rig.Publisher.Overdue == 0);
            await rig.PostUntilAcceptedAsync(EventId(13));
            await rig.PostUntilAcceptedAsync(EventId(12));

            Assert.That(await rig.QueuedEventIdsAsync(), Is.EquivalentTo(new[] { EventId(11), EventId(12), EventId(13) }), "every event answered 200, each once");
        }
    }

    public class When_an_admission_bound_is_out_of_range
    {
        [Test]
        public void Should_stop_the_ingress_naming_the_key()
        {
            var settings = TestSettings.Common();
            settings["Ingress:Admission:QueueTimeout"] = "00:00:05";
            settings["Ingress:Admission:RetryAfter"] = "00:00:00.5";
            using var ingress = new IngressFactory(settings, useTestHarness: true);

            var failure = Assert.Throws(Is.InstanceOf<Exception>(), () => ingress.CreateClient())!;

            Assert.That(failure.ToString(), Does.Contain("Ingress:Admission:QueueTimeout").And.Contain("Ingress:Admission:RetryAfter"));
        }
    }
}

/// <summary>A real Ingress with the given admission settings, publishing to a fresh virtual host through a relay.</summary>
internal sealed class AdmissionRig : IAsyncDisposable
{
    private AdmissionRig(RabbitMqVirtualHost broker, TcpRelay relay, IngressFactory ingress)
    {
        Broker = broker;
        Relay = relay;
        Ingress = ingress;
        Admission = ingress.Services.GetRequiredService<WebhookAdmission>();
        Publisher = ingress.Services.GetRequiredService<ConfirmedPublisher>();
        Metrics = new MeasuredMetrics(ingress.Services.GetRequiredService<IMeterFactory>(), IngressMetrics.MeterName);
    }

    public RabbitMqVirtualHost Broker { get; }

    public TcpRelay Relay { get; }

    public IngressFactory Ingress { get; }

    public WebhookAdmission Admission { get; }

    public ConfirmedPublisher Publisher { get; }

    public MeasuredMetrics Metrics { get; }

    public static async Task<AdmissionRig> StartAsync(Dictionary<string, string?> admission)
    {
        var broker = await RabbitMqVirtualHost.CreateAsync();
        var relay = new TcpRelay(RabbitMqVirtualHost.AmqpNode);
        var settings = TestSettings.Common(broker);
        settings["Messaging:Rabbit:Hosts:0"] = relay.Node;
        foreach (var (key, value) in admission)
        {
            settings[key] = value;
        }

        return new AdmissionRig(broker, relay, new IngressFactory(settings, useTestHarness: false));
    }

    public async Task<HttpStatusCode> PostAsync(string eventId)
    {
        using var response = await Ingress.PostWebhookAsync(IngressFactory.DirectMessage(eventId));
        return response.StatusCode;
    }

    /// <summary>Posts as X retries: again after a 503, until 200 or the patience runs out.</summary>
    public async Task PostUntilAcceptedAsync(string eventId)
    {
        using var deadline = new CancellationTokenSource(TimeSpan.FromSeconds(60));
        while (await PostAsync(eventId) != HttpStatusCode.OK)
        {
            await Task.Delay(TimeSpan.FromMilliseconds(250), deadline.Token);
        }
    }

    public static async Task WaitUntilAsync(Func<bool> condition)
    {
        using var deadline = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        while (!condition())
        {
            await Task.Delay(TimeSpan.FromMilliseconds(10), deadline.Token);
        }
    }

    /// <summary>The X event id of every message the partitions hold.</summary>
    public async Task<List<string>> QueuedEventIdsAsync()
    {
        var ids = new List<string>();
        foreach (var partition in TestSettings.PartitionQueues)
        {
            foreach (var message in await Broker.PeekAsync(partition))
            {
                var envelope = JsonNode.Parse(message.Body)!;
                ids.Add(envelope["message"]!["eventId"]!.GetValue<string>());
            }
        }

        return ids;
    }

    public async ValueTask DisposeAsync()
    {
        Metrics.Dispose();
        await Ingress.DisposeAsync();
        await Relay.DisposeAsync();
        await Broker.DisposeAsync();
    }
}
