using System.Net;
using TwitterBot.Contracts;
using TwitterBot.Tests.Support;

namespace TwitterBot.Tests.Integration;

public static class RoundTrip_Specs
{
    /// <summary>
    /// The whole slice on a real RabbitMQ: X's signed webhook → Ingress → broker → Processor → gateway → X.
    /// The fake X and gateway are real HTTP servers; the fake X accepts only valid OAuth 1.0a signatures.
    /// </summary>
    [Category("Integration")]
    public class When_a_person_sends_the_bot_a_direct_message
    {
        private static readonly TimeSpan Patience = TimeSpan.FromSeconds(30);

        [Test]
        public async Task Should_reply_exactly_once_with_the_gateways_answer_as_a_signed_direct_message()
        {
            await using var broker = await RabbitMqVirtualHost.CreateAsync();
            await using var store = await PostgresDatabase.CreateAsync();
            await using var gateway = new FakeGateway { Answer = text => [$"You said: {text}"] };
            await gateway.StartAsync();
            await using var x = new FakeXApi();
            await x.StartAsync();

            var settings = TestSettings.Common(broker, store).UsingFakes(gateway, x);

            await using var processor = new ProcessorFactory(settings);
            await processor.WaitUntilReadyAsync(Patience);
            var consumed = processor.CountConsumed<DirectMessageReceived>();
            await using var ingress = new IngressFactory(settings, useTestHarness: false);

            using var response = await ingress.PostWebhookAsync(XSamples.Bytes(XSamples.DirectMessage));
            Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.OK));

            await consumed.WaitForAsync(1, Patience);
            Assert.That(consumed.Faulted, Is.Zero);
            Assert.That(x.RejectedRequests, Is.Empty, "every request X received carried a valid OAuth 1.0a signature");
            var sent = await x.WaitForDirectMessagesAsync(1, Patience);
            Assert.That(sent, Is.EqualTo(new[]
            {
                new SentDirectMessage(TestCredentials.BotAccessToken, RecipientId: "3001969357", Text: "You said: Hello World!"),
            }));

            var asked = gateway.Requests.Single();
            Assert.That(asked["text"]!.GetValue<string>(), Is.EqualTo("Hello World!"));
            Assert.That(asked["uuid"]!.GetValue<string>(), Is.EqualTo(TestCredentials.BotId));
            Assert.That(asked["suid"]!.GetValue<string>(), Is.EqualTo("twitter-4337869213-3001969357"));
            Assert.That(asked["source_type"]!.GetValue<string>(), Is.EqualTo("twitter"));
            Assert.That(asked["author"]!.GetValue<string>(), Is.EqualTo("Jordan Brinks"));
            Assert.That(asked["extra_data"]!["twitter_event_id"]!.GetValue<string>(), Is.EqualTo("954491830116155396"));
        }
    }
}
