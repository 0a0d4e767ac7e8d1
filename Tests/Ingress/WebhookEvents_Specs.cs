using System.Net;
using System.Text.Json.Nodes;
using Microsoft.Extensions.Logging;
using TwitterBot.Contracts;
using TwitterBot.Tests.Support;

namespace TwitterBot.Tests.Ingress;

/// <summary>What the Ingress publishes for each kind of event X delivers, through its HTTP endpoint.</summary>
public static class WebhookEvents_Specs
{
    public class When_a_delivery_carries_several_direct_messages : IngressSpec
    {
        [Test]
        public async Task Should_publish_every_one_of_them()
        {
            using var response = await Ingress.PostWebhookAsync(XSamples.Bytes(XSamples.Batch));

            Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.OK));
            Assert.That(Harness.Published.Select<DirectMessageReceived>().Select(p => p.Context.Message.EventId),
                Is.EquivalentTo(new[] { "1859999999999999101", "1859999999999999102" }));
        }
    }

    public class When_the_X_Activity_API_delivers_a_direct_message : IngressSpec
    {
        [Test]
        public async Task Should_publish_it()
        {
            using var response = await Ingress.PostWebhookAsync(XSamples.Bytes(XSamples.XActivityReceived));

            Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.OK));
            Assert.That(Harness.Published.Select<DirectMessageReceived>().Single().Context.Message.EventId, Is.EqualTo("1859999999999999001"));
        }
    }

    public class When_X_reports_a_revoke_or_a_replay_job : IngressSpec
    {
        [Test]
        public async Task Should_publish_the_bots_revoke()
        {
            var revoke = JsonNode.Parse(XSamples.Text(XSamples.OtherEvents))![2]!;
            revoke["user_event"]!["revoke"]!["source"]!["user_id"] = TestCredentials.BotUserId;

            using var response = await Ingress.PostWebhookAsync(revoke.ToJsonString());

            Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.OK));
            Assert.That(Harness.Published.Select<BotAccessRevoked>().Single().Context.Message.BotId, Is.EqualTo(TestCredentials.BotId));
        }

        [Test]
        public async Task Should_publish_the_replay_job_status()
        {
            using var response = await Ingress.PostWebhookAsync(JsonNode.Parse(XSamples.Text(XSamples.OtherEvents))![3]!.ToJsonString());

            Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.OK));
            Assert.That(Harness.Published.Select<ReplayJobStatusReported>().Single().Context.Message.JobState, Is.EqualTo("Complete"));
        }
    }

    public class When_X_sends_events_for_an_account_that_is_not_a_bot : IngressSpec
    {
        [Test]
        public async Task Should_answer_200_publish_nothing_and_log_the_account_once()
        {
            var stranger = JsonNode.Parse(XSamples.Text(XSamples.DirectMessage))!;
            stranger["for_user_id"] = "1111";

            using var first = await Ingress.PostWebhookAsync(stranger.ToJsonString());
            using var second = await Ingress.PostWebhookAsync(stranger.ToJsonString());

            Assert.That(new[] { first.StatusCode, second.StatusCode }, Is.All.EqualTo(HttpStatusCode.OK));
            Assert.That(await Harness.Published.Any<DirectMessageReceived>(), Is.False);
            Assert.That(Ingress.Logs.Messages(LogLevel.Warning).Count(m => m.Contains("X account 1111,", StringComparison.Ordinal)), Is.EqualTo(1));
        }
    }

    public class When_X_sends_typing_read_receipts_and_other_events : IngressSpec
    {
        [TestCase(XSamples.IndicateTyping)]
        [TestCase(XSamples.MarkRead)]
        public async Task Should_answer_200_and_publish_nothing(string sample)
        {
            using var response = await Ingress.PostWebhookAsync(XSamples.Bytes(sample));

            Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.OK));
            Assert.That(await Harness.Published.Any<DirectMessageReceived>(), Is.False);
        }

        [TestCase(0)]
        [TestCase(1)]
        public async Task Should_answer_200_to_follows_and_tweets_and_publish_nothing(int index)
        {
            using var response = await Ingress.PostWebhookAsync(JsonNode.Parse(XSamples.Text(XSamples.OtherEvents))![index]!.ToJsonString());

            Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.OK));
            Assert.That(await Harness.Published.Any(), Is.False);
        }
    }
}
