using System.Diagnostics.Metrics;
using System.Net;
using System.Text;
using System.Text.Json.Nodes;
using MassTransit.Testing;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using TwitterBot.Contracts;
using TwitterBot.Ingress.Webhooks;
using TwitterBot.Tests.Support;

namespace TwitterBot.Tests.Ingress;

/// <summary>Two configured bots never answer each other: a DM from one to the other is never published.</summary>
public static class BotToBot_Specs
{
    public class When_one_configured_bot_writes_to_another
    {
        private IngressFactory _ingress = null!;

        [SetUp]
        public void StartIngressWithTwoBots()
        {
            var settings = TestSettings.Common();
            settings["TwitterBot:Bots:1:UserId"] = TestCredentials.SecondBotUserId;
            settings["TwitterBot:Bots:1:BotId"] = "bot-project-2";
            settings["TwitterBot:Bots:1:AccessToken"] = TestCredentials.SecondBotAccessToken;
            settings["TwitterBot:Bots:1:AccessSecret"] = TestCredentials.SecondBotAccessSecret;
            _ingress = new IngressFactory(settings, useTestHarness: true);
        }

        [TearDown]
        public async Task StopIngress() => await _ingress.DisposeAsync();

        [Test]
        public async Task Should_drop_the_message_for_the_recipient_bot_count_it_and_log_the_pair_once()
        {
            using var metrics = new MeasuredMetrics(_ingress.Services.GetRequiredService<IMeterFactory>(), IngressMetrics.MeterName);

            // X delivers the DM to the recipient bot's subscription (received) and to the sender's (its echo), twice over.
            var responses = new List<HttpStatusCode>();
            foreach (var eventId in new[] { "1920000000000000001", "1920000000000000002" })
            {
                foreach (var subscriber in new[] { TestCredentials.BotUserId, TestCredentials.SecondBotUserId })
                {
                    using var response = await _ingress.PostWebhookAsync(FromSecondBot(eventId, subscriber));
                    responses.Add(response.StatusCode);
                }
            }

            Assert.That(responses, Is.All.EqualTo(HttpStatusCode.OK));
            Assert.That(await _ingress.Services.GetRequiredService<ITestHarness>().Published.Any<DirectMessageReceived>(), Is.False);
            Assert.That(metrics.Totals, Does.ContainKey($"{IngressMetrics.EventsInstrument}{{event.type={XActivityTypes.Received},outcome=from_bot}}").WithValue(2));
            Assert.That(_ingress.Logs.Messages(LogLevel.Warning).Count(m =>
                m.Contains(TestCredentials.SecondBotUserId, StringComparison.Ordinal) && m.Contains(TestCredentials.BotUserId, StringComparison.Ordinal)), Is.EqualTo(1));
        }

        [Test]
        public async Task Should_still_publish_what_a_person_writes_to_either_bot()
        {
            using var toFirst = await _ingress.PostWebhookAsync(IngressFactory.DirectMessage("1920000000000000101"));

            Assert.That(toFirst.StatusCode, Is.EqualTo(HttpStatusCode.OK));
            Assert.That(_ingress.Services.GetRequiredService<ITestHarness>().Published.Select<DirectMessageReceived>().Single().Context.Message.BotId, Is.EqualTo(TestCredentials.BotId));
        }

        /// <summary>A DM from the second bot to the first, as delivered to <paramref name="subscriber"/>'s subscription.</summary>
        private static byte[] FromSecondBot(string eventId, string subscriber)
        {
            var delivery = JsonNode.Parse(IngressFactory.DirectMessage(eventId, senderId: TestCredentials.SecondBotUserId))!;
            delivery["for_user_id"] = subscriber;
            return Encoding.UTF8.GetBytes(delivery.ToJsonString());
        }
    }
}
