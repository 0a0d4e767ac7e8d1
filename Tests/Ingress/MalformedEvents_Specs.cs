using System.Net;
using System.Text.Json.Nodes;
using System.Diagnostics.Metrics;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using TwitterBot.Contracts;
using TwitterBot.Ingress.Webhooks;
using TwitterBot.Tests.Support;

namespace TwitterBot.Tests.Ingress;

/// <summary>One event that does not convert costs only itself, never the rest of its delivery.</summary>
public static class MalformedEvents_Specs
{
    public class When_one_event_of_a_delivery_does_not_convert : IngressSpec
    {
        private const string SecondPersonsText = "Second person, second event";

        [TestCase("created_timestamp", "\"99999999999999999\"", TestName = "Should_keep_the_others_when_created_timestamp_is_out_of_range")]
        [TestCase("created_timestamp", "\"yesterday\"", TestName = "Should_keep_the_others_when_created_timestamp_is_not_a_number")]
        [TestCase("created_timestamp", "1732186801000", TestName = "Should_keep_the_others_when_created_timestamp_is_not_a_string")]
        [TestCase("id", "123456789012345678901234567890", TestName = "Should_keep_the_others_when_the_event_id_exceeds_64_bits")]
        [TestCase("message_create.sender_id", "\"not-a-number\"", TestName = "Should_keep_the_others_when_the_sender_id_is_not_a_number")]
        [TestCase("message_create.target.recipient_id", "-4337869213", TestName = "Should_keep_the_others_when_the_recipient_id_is_negative")]
        [TestCase("message_create", "[]", TestName = "Should_keep_the_others_when_message_create_is_not_an_object")]
        [TestCase("message_create.message_data.text", "5", TestName = "Should_keep_the_others_when_the_text_is_not_a_string")]
        [TestCase("message_create.message_data.entities", """{"urls": [null]}""", TestName = "Should_keep_the_others_when_a_url_entity_is_null")]
        [TestCase("", "null", TestName = "Should_keep_the_others_when_the_event_is_null")]
        [TestCase("", "\"an event\"", TestName = "Should_keep_the_others_when_the_event_is_not_an_object")]
        public async Task Should_drop_that_event_count_it_log_it_once_and_publish_the_rest(string member, string value)
        {
            var delivery = JsonNode.Parse(XSamples.Text(XSamples.Batch))!;
            Replace(delivery["direct_message_events"]!.AsArray(), 1, member, JsonNode.Parse(value));
            using var metrics = new MeasuredMetrics(Ingress.Services.GetRequiredService<IMeterFactory>(), IngressMetrics.MeterName);

            using var response = await Ingress.PostWebhookAsync(delivery.ToJsonString());

            Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.OK));
            Assert.That(Harness.Published.Select<DirectMessageReceived>().Select(p => p.Context.Message.EventId), Is.EqualTo(new[] { "1859999999999999101" }));
            Assert.That(metrics.Totals, Does.ContainKey($"{IngressMetrics.EventsInstrument}{{event.type={XActivityTypes.Received},outcome=malformed}}")
                .WithValue(1));
            var logged = Ingress.Logs.Messages(LogLevel.Warning).Where(m => m.Contains("index 1", StringComparison.Ordinal)).ToList();
            Assert.That(logged, Has.Count.EqualTo(1));
            Assert.That(logged[0], Does.Contain(XActivityTypes.Received).And.Not.Contain(SecondPersonsText));
        }

        private static void Replace(JsonArray events, int index, string member, JsonNode? value)
        {
            if (member.Length == 0)
            {
                events[index] = value;
                return;
            }

            var path = member.Split('.');
            var parent = path[..^1].Aggregate(events[index]!, (node, name) => node[name]!);
            parent[path[^1]] = value;
        }
    }

    public class When_an_X_Activity_delivery_carries_an_event_that_does_not_convert : IngressSpec
    {
        [Test]
        public async Task Should_publish_the_events_that_do()
        {
            var delivery = JsonNode.Parse(XSamples.Text(XSamples.XActivityReceived))!;
            var events = delivery["data"]!["payload"]!["direct_message_events"]!.AsArray();
            var broken = events[0]!.DeepClone();
            broken["id"] = "1859999999999999009";
            broken["created_timestamp"] = "-1";
            events.Insert(0, broken);

            using var response = await Ingress.PostWebhookAsync(delivery.ToJsonString());

            Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.OK));
            Assert.That(Harness.Published.Select<DirectMessageReceived>().Select(p => p.Context.Message.EventId), Is.EqualTo(new[] { "1859999999999999001" }));
        }
    }

    public class When_a_user_object_does_not_convert : IngressSpec
    {
        [TestCase("null")]
        [TestCase("""{"id": "3001969357", "name": 42}""")]
        [TestCase("[]")]
        public async Task Should_publish_the_direct_message_without_the_senders_name(string user)
        {
            var delivery = JsonNode.Parse(XSamples.Text(XSamples.DirectMessage))!;
            delivery["users"]!["3001969357"] = JsonNode.Parse(user);

            using var response = await Ingress.PostWebhookAsync(delivery.ToJsonString());

            Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.OK));
            var published = Harness.Published.Select<DirectMessageReceived>().Single().Context.Message;
            Assert.That((published.EventId, published.SenderName), Is.EqualTo(("954491830116155396", (string?)null)));
        }
    }
}
