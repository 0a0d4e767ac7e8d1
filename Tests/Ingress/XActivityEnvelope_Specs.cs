using System.Text;
using System.Text.Json.Nodes;
using Microsoft.Extensions.Options;
using TwitterBot.Contracts;
using TwitterBot.Conventions.Accounts;
using TwitterBot.Conventions.Ids;
using TwitterBot.Ingress.Webhooks;
using TwitterBot.Tests.Support;

namespace TwitterBot.Tests.Ingress;

/// <summary>
/// The X Activity API's webhook envelope as docs.x.com shows it today (x-api/activity/event-payloads): a string
/// <c>event_uuid</c> holding a signed 64-bit number's digits, lower-case dotted event names, the matched
/// <c>filter</c> (which may carry <c>direction</c>), users wrapped in <c>data</c> with v2 fields we do not read.
/// </summary>
public static class XActivityEnvelope_Specs
{
    private const string Person = "2222222222222222222";
    private const string DirectMessageId = "2080765901528535096";

    /// <summary>When the sender's account was opened: a field we do not read, stamped from the specs' clock.</summary>
    private static readonly string AccountCreatedAt = new ManualTime().GetUtcNow().AddDays(-200).ToString("yyyy-MM-ddTHH:mm:ss.fffZ", System.Globalization.CultureInfo.InvariantCulture);

    /// <summary>docs.x.com's <c>dm.received</c> sample, trimmed, addressed to our bot.</summary>
    private static JsonNode TodaysDmReceived() => JsonNode.Parse($$"""
        {
          "data": {
            "event_uuid": "-6850472171600526495",
            "filter": { "user_id": "{{TestCredentials.BotUserId}}" },
            "event_type": "dm.received",
            "tag": "twitterbot:{{TestCredentials.BotUserId}}",
            "payload": {
              "direct_message_events": [
                {
                  "type": "message_create",
                  "id": "{{DirectMessageId}}",
                  "created_timestamp": "1784928224372",
                  "message_create": {
                    "target": { "recipient_id": "{{TestCredentials.BotUserId}}" },
                    "sender_id": "{{Person}}",
                    "message_data": { "text": "hello!", "entities": { "hashtags": [], "symbols": [], "user_mentions": [], "urls": [] } }
                  }
                }
              ],
              "users": {
                "{{Person}}": {
                  "data": {
                    "description": "", "public_metrics": { "followers_count": 97, "followers_count_str": "97" }, "protected": false,
                    "affiliation": { "description": "Automated" }, "id": "{{Person}}", "verified_type": "none",
                    "created_at": "{{AccountCreatedAt}}", "username": "OtherUser", "verified": false, "name": "Other User"
                  }
                }
              }
            }
          }
        }
        """)!;

    private static WebhookTranslation Translate(JsonNode delivery)
    {
        var options = Options.Create(new TwitterBotOptions { Bots = [new BotOptions { UserId = TestCredentials.BotUserId, BotId = TestCredentials.BotId }] });
        var translator = new WebhookEventTranslator(new BotAccounts(options), TimeProvider.System);
        return translator.Translate(WebhookEnvelope.From(WebhookBody.Parse(Encoding.UTF8.GetBytes(delivery.ToJsonString()))));
    }

    public class When_todays_dm_received_arrives
    {
        [Test]
        public void Should_publish_the_direct_message_under_the_id_its_DM_would_have_through_the_Account_Activity_API()
        {
            var outgoing = Translate(TodaysDmReceived()).Messages.Single();

            Assert.That(outgoing.MessageId, Is.EqualTo(MessageIds.For(TestCredentials.BotUserId, DirectMessageId)));
            Assert.That(outgoing.Message, Is.InstanceOf<DirectMessageReceived>()
                .With.Property(nameof(DirectMessageReceived.SenderScreenName)).EqualTo("OtherUser")
                .And.Property(nameof(DirectMessageReceived.Text)).EqualTo("hello!"));
        }

        [TestCase("\"-6850472171600526495\"")]
        [TestCase("-6850472171600526495")]
        [TestCase("\"5f1f3bd2-9b0e-4a8e-9e0e-1c6a5d7b1e11\"")]
        public void Should_read_the_event_uuid_whether_string_or_number(string eventUuid)
        {
            var delivery = TodaysDmReceived();
            delivery["data"]!["event_uuid"] = JsonNode.Parse(eventUuid);

            var envelope = WebhookEnvelope.From(WebhookBody.Parse(Encoding.UTF8.GetBytes(delivery.ToJsonString())));

            Assert.That(envelope.EventUuid, Is.EqualTo(eventUuid.Trim('"')));
            Assert.That(Translate(delivery).Messages, Has.Count.EqualTo(1));
        }

        [TestCase("inbound")]
        [TestCase("received")]
        public void Should_accept_a_direction_in_the_filter(string direction)
        {
            var delivery = TodaysDmReceived();
            delivery["data"]!["filter"]!["direction"] = direction;

            Assert.That(Translate(delivery).Messages, Has.Count.EqualTo(1));
        }
    }

    public class When_an_event_arrives_under_a_PascalCase_name
    {
        // X deprecated PascalCase event types in March 2026 (docs.x.com changelog); DM events never had one.
        [TestCase("DmReceived")]
        [TestCase("DirectMessageReceived")]
        public void Should_count_and_drop_it_rather_than_guess(string eventType)
        {
            var delivery = TodaysDmReceived();
            delivery["data"]!["event_type"] = eventType;

            var translation = Translate(delivery);

            Assert.That(translation.Messages, Is.Empty);
            Assert.That(translation.Dropped, Is.EqualTo(new[] { new DroppedEvent(eventType, DropReason.NotRelevant) }));
        }
    }
}
