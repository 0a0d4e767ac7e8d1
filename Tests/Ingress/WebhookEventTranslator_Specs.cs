using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using Microsoft.Extensions.Options;
using TwitterBot.Contracts;
using TwitterBot.Ingress.Webhooks;
using TwitterBot.ServiceDefaults;
using TwitterBot.Tests.Support;

namespace TwitterBot.Tests.Ingress;

public static class WebhookEventTranslator_Specs
{
    private static WebhookTranslation Translate(byte[] body, string botUserId = TestSettings.BotUserId)
    {
        var options = Options.Create(new TwitterBotOptions { Bots = { new BotOptions { UserId = botUserId, BotId = TestSettings.BotId } } });
        return new WebhookEventTranslator(new BotAccounts(options), TimeProvider.System).Translate(AccountActivityEvent.Parse(body));
    }

    public class When_a_person_sends_the_bot_a_direct_message
    {
        [Test]
        public void Should_translate_it_into_one_DirectMessageReceived()
        {
            var translation = Translate(XSamples.Bytes(XSamples.DirectMessage));

            Assert.That(translation.Messages, Has.Count.EqualTo(1));
            Assert.That(translation.Messages[0], Is.EqualTo(new DirectMessageReceived
            {
                EventId = "954491830116155396",
                BotUserId = TestSettings.BotUserId,
                BotId = TestSettings.BotId,
                SenderId = "3001969357",
                SenderName = "Jordan Brinks",
                SenderScreenName = "furiouscamper",
                Text = "Hello World!",
                CreatedAt = DateTimeOffset.FromUnixTimeMilliseconds(1516403560557),
                QuickReplyMetadata = null,
            }));
        }
    }

    public class When_a_person_answers_a_quick_reply
    {
        [Test]
        public void Should_carry_the_option_metadata_and_read_64_bit_ids_without_loss()
        {
            var message = Translate(XSamples.Bytes(XSamples.QuickReplyResponse)).Messages.Single();

            Assert.That(message.QuickReplyMetadata, Is.EqualTo("external_id_2"));
            Assert.That(message.Text, Is.EqualTo("Blue Bird"));
            Assert.That(message.SenderScreenName, Is.EqualTo("bluebirdfan"));
        }
    }

    public class When_the_bot_itself_sent_the_message
    {
        [Test]
        public void Should_not_translate_its_echo()
        {
            var echo = JsonNode.Parse(XSamples.Text(XSamples.DirectMessage))!;
            echo["direct_message_events"]![0]!["message_create"]!["sender_id"] = TestSettings.BotUserId;
            echo["direct_message_events"]![0]!["message_create"]!["target"]!["recipient_id"] = "3001969357";

            var translation = Translate(Encoding.UTF8.GetBytes(echo.ToJsonString()));

            Assert.That(translation.Messages, Is.Empty);
            Assert.That(translation.Ignored, Is.EqualTo(1));
        }
    }

    public class When_the_event_is_for_an_account_that_is_not_a_configured_bot
    {
        [Test]
        public void Should_not_translate_it() =>
            Assert.That(Translate(XSamples.Bytes(XSamples.DirectMessage), botUserId: "1111").Messages, Is.Empty);
    }

    public class When_X_sends_events_that_are_not_direct_messages
    {
        [TestCase(XSamples.IndicateTyping)]
        [TestCase(XSamples.MarkRead)]
        public void Should_parse_them_and_translate_nothing(string sample) =>
            Assert.That(Translate(XSamples.Bytes(sample)).Messages, Is.Empty);

        [Test]
        public void Should_parse_every_other_envelope_and_translate_nothing()
        {
            var envelopes = JsonNode.Parse(XSamples.Text(XSamples.OtherEvents))!.AsArray();

            Assert.That(envelopes, Has.Count.EqualTo(4));
            Assert.That(envelopes.Select(e => Translate(Encoding.UTF8.GetBytes(e!.ToJsonString())).Messages), Has.All.Empty);
        }
    }

    public class When_the_body_is_not_an_X_event
    {
        [TestCase("not json")]
        [TestCase("null")]
        [TestCase("""{"for_user_id": 4337869213}""")]
        public void Should_fail_to_parse(string body) =>
            Assert.That(() => AccountActivityEvent.Parse(Encoding.UTF8.GetBytes(body)), Throws.InstanceOf<JsonException>());
    }
}
