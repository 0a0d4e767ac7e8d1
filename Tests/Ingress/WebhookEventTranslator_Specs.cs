using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using Microsoft.Extensions.Options;
using TwitterBot.Contracts;
using TwitterBot.Conventions.Accounts;
using TwitterBot.Conventions.Ids;
using TwitterBot.Ingress.Webhooks;
using TwitterBot.Tests.Support;

namespace TwitterBot.Tests.Ingress;

/// <summary>What each event X delivers becomes: a message to publish, or a counted drop.</summary>
public static class WebhookEventTranslator_Specs
{
    private static WebhookTranslation Translate(string json, params string[] botUserIds)
    {
        var bots = (botUserIds.Length == 0 ? [TestCredentials.BotUserId] : botUserIds)
            .Select(id => new BotOptions { UserId = id, BotId = $"bot-for-{id}" });
        var options = Options.Create(new TwitterBotOptions { Bots = bots.ToList() });
        var translator = new WebhookEventTranslator(new BotAccounts(options), TimeProvider.System);
        return translator.Translate(WebhookEnvelope.From(WebhookBody.Parse(Encoding.UTF8.GetBytes(json))));
    }

    private static T Single<T>(WebhookTranslation translation) =>
        translation.Messages.Select(m => m.Message).OfType<T>().Single();

    private static JsonNode Sample(string name) => JsonNode.Parse(XSamples.Text(name))!;

    public class When_a_person_sends_the_bot_a_direct_message
    {
        private readonly WebhookTranslation _translation = Translate(XSamples.Text(XSamples.DirectMessage));

        [Test]
        public void Should_translate_it_into_one_DirectMessageReceived() =>
            Assert.That(Single<DirectMessageReceived>(_translation), Is.EqualTo(new DirectMessageReceived
            {
                EventId = "954491830116155396",
                BotUserId = TestCredentials.BotUserId,
                BotId = $"bot-for-{TestCredentials.BotUserId}",
                SenderId = "3001969357",
                SenderName = "Jordan Brinks",
                SenderScreenName = "furiouscamper",
                Text = "Hello World!",
                CreatedAt = DateTimeOffset.FromUnixTimeMilliseconds(1516403560557),
                Urls = Single<DirectMessageReceived>(_translation).Urls,
            }));

        [Test]
        public void Should_publish_it_under_the_events_deterministic_id_and_conversation_key()
        {
            var outgoing = _translation.Messages.Single();

            Assert.That(outgoing.MessageId, Is.EqualTo(MessageIds.For(TestCredentials.BotUserId, "954491830116155396")));
            Assert.That(outgoing.ConversationKey, Is.EqualTo("4337869213:3001969357"));
            Assert.That(_translation.Dropped, Is.Empty);
        }
    }

    public class When_a_person_answers_a_quick_reply_with_a_photo
    {
        private readonly DirectMessageReceived _message = Single<DirectMessageReceived>(Translate(XSamples.Text(XSamples.QuickReplyResponse)));

        [Test]
        public void Should_carry_the_option_metadata() =>
            Assert.That((_message.Text, _message.QuickReplyMetadata), Is.EqualTo(("Blue Bird", "external_id_2")));

        [Test]
        public void Should_carry_the_media_with_its_64_bit_id_exact() =>
            Assert.That(_message.Media, Is.EqualTo(new DirectMessageMedia(
                "1000000000000000001", "photo", "https://ton.twitter.com/1.1/ton/data/dm/1000000000000000001/1000000000000000002/abc.jpg")));

        [Test]
        public void Should_carry_where_the_conversation_was_initiated() =>
            Assert.That(_message.InitiatedVia, Is.EqualTo(new DirectMessageOrigin("123456", "456789")));
    }

    public class When_a_media_id_arrives_only_as_a_number_beyond_2_to_the_53
    {
        [Test]
        public void Should_keep_every_digit()
        {
            var sample = Sample(XSamples.QuickReplyResponse);
            var media = sample["direct_message_events"]![0]!["message_create"]!["message_data"]!["attachment"]!["media"]!.AsObject();
            media.Remove("id_str");
            media["id"] = JsonValue.Create(9007199254740993UL); // 2^53 + 1: a double would read 9007199254740992

            Assert.That(Single<DirectMessageReceived>(Translate(sample.ToJsonString())).Media!.Id, Is.EqualTo("9007199254740993"));
        }
    }

    public class When_the_text_carries_entities_links_and_an_attachment_link
    {
        [Test]
        public void Should_unescape_entities_once_and_expand_links()
        {
            var batch = Translate(XSamples.Text(XSamples.Batch));
            var first = batch.Messages.Select(m => m.Message).OfType<DirectMessageReceived>().First();

            Assert.That(first.Text, Is.EqualTo("Tom & Jerry <3 https://example.com/tom-and-jerry &lt;b&gt;"));
            Assert.That(first.Urls, Is.EqualTo(new[] { "https://example.com/tom-and-jerry" }));
        }

        [Test]
        public void Should_drop_the_link_X_appends_for_the_attachment()
        {
            var sample = Sample(XSamples.QuickReplyResponse);
            sample["direct_message_events"]![0]!["message_create"]!["message_data"]!["text"] = "Blue Bird https://t.co/abc";

            Assert.That(Single<DirectMessageReceived>(Translate(sample.ToJsonString())).Text, Is.EqualTo("Blue Bird"));
        }
    }

    public class When_the_text_repeats_a_link_that_has_one_entity
    {
        [Test]
        public void Should_expand_one_occurrence_per_entity_so_the_text_grows_by_at_most_the_expansions()
        {
            var expanded = "https://example.com/" + new string('e', 2_000);
            var text = string.Join(' ', Enumerable.Repeat("https://t.co/AbCdEf", 2_000));
            var sample = Sample(XSamples.Batch);
            var data = sample["direct_message_events"]![0]!["message_create"]!["message_data"]!;
            data["text"] = text;
            data["entities"]!["urls"]![0]!["expanded_url"] = expanded;

            var first = Translate(sample.ToJsonString()).Messages.Select(m => m.Message).OfType<DirectMessageReceived>().First();

            Assert.That(first.Text, Has.Length.LessThanOrEqualTo(text.Length + expanded.Length));
            Assert.That(first.Text, Does.StartWith(expanded + " https://t.co/AbCdEf"));
        }
    }

    public class When_a_delivery_carries_several_events
    {
        private readonly WebhookTranslation _translation = Translate(XSamples.Text(XSamples.Batch));

        [Test]
        public void Should_translate_every_message_in_order() =>
            Assert.That(_translation.Messages.Select(m => m.Message).OfType<DirectMessageReceived>().Select(m => m.EventId),
                Is.EqualTo(new[] { "1859999999999999101", "1859999999999999102" }));

        [Test]
        public void Should_publish_the_bots_own_echo_in_the_users_conversation_and_drop_nothing()
        {
            var echo = _translation.Messages.Single(m => m.Message is DirectMessageSentByAccount);

            Assert.That(echo.EventType, Is.EqualTo(XActivityTypes.Sent));
            Assert.That(echo.ConversationKey, Is.EqualTo(ConversationKeys.For(TestCredentials.BotUserId, ((DirectMessageSentByAccount)echo.Message).UserId)));
            Assert.That(_translation.Dropped, Is.Empty);
        }
    }

    public class When_one_event_of_a_delivery_does_not_convert
    {
        [TestCase("created_timestamp", "\"253402300800000\"", "$.created_timestamp", TestName = "Should_drop_only_it_when_created_timestamp_is_past_the_year_9999")]
        [TestCase("id", "\"12a\"", "$.id", TestName = "Should_drop_only_it_when_its_id_is_not_a_number")]
        [TestCase("message_create", "\"text\"", "$.message_create", TestName = "Should_drop_only_it_when_message_create_is_a_string")]
        public void Should_drop_only_it_with_its_index_and_where_it_failed(string member, string value, string problem)
        {
            var batch = Sample(XSamples.Batch);
            batch["direct_message_events"]![1]![member] = JsonNode.Parse(value);

            var translation = Translate(batch.ToJsonString());

            Assert.That(translation.Messages.Select(m => m.Message).OfType<DirectMessageReceived>().Select(m => m.EventId), Is.EqualTo(new[] { "1859999999999999101" }));
            Assert.That(translation.Dropped, Is.EqualTo(new[]
            {
                new DroppedEvent(XActivityTypes.Received, DropReason.Malformed) { Index = 1, Problem = problem },
            }));
        }

        [Test]
        public void Should_drop_a_revoke_whose_user_id_is_not_a_number()
        {
            var revoke = Sample(XSamples.OtherEvents)[2]!;
            revoke["user_event"]!["revoke"]!["source"]!["user_id"] = 63046977.5;

            Assert.That(Translate(revoke.ToJsonString(), "63046977").Dropped,
                Is.EqualTo(new[] { new DroppedEvent(EventTypes.Revoke, DropReason.Malformed) { Index = 0, Problem = "$.revoke.source.user_id" } }));
        }
    }

    public class When_a_replay_job_status_does_not_convert
    {
        [Test]
        public void Should_drop_it_as_malformed() =>
            Assert.That(Translate("""{"replay_job_status": {"webhook_id": "1234577122340233217", "job_id": 1.5, "job_state": "Complete"}}""").Dropped,
                Is.EqualTo(new[] { new DroppedEvent(EventTypes.ReplayJobStatus, DropReason.Malformed) { Index = 0, Problem = "$.job_id" } }));
    }

    public class When_a_configured_bot_writes_to_another
    {
        [Test]
        public void Should_drop_it_naming_both_bots() =>
            Assert.That(Translate(XSamples.Text(XSamples.DirectMessage), TestCredentials.BotUserId, "3001969357"),
                Has.Property(nameof(WebhookTranslation.Messages)).Empty
                    .And.Property(nameof(WebhookTranslation.Dropped)).EqualTo(new[]
                    {
                        new DroppedEvent(XActivityTypes.Received, DropReason.FromBot, 1, TestCredentials.BotUserId) { SenderId = "3001969357" },
                    }));
    }

    public class When_the_event_is_for_an_account_that_is_not_a_configured_bot
    {
        [Test]
        public void Should_publish_nothing_and_name_the_account() =>
            Assert.That(Translate(XSamples.Text(XSamples.DirectMessage), "1111"), Has.Property(nameof(WebhookTranslation.Messages)).Empty
                .And.Property(nameof(WebhookTranslation.Dropped)).EqualTo(new[] { new DroppedEvent(XActivityTypes.Received, DropReason.UnknownAccount, 1, TestCredentials.BotUserId) }));
    }

    public class When_the_X_Activity_API_delivers_a_direct_message
    {
        [Test]
        public void Should_translate_it_like_the_Account_Activity_API()
        {
            var message = Single<DirectMessageReceived>(Translate(XSamples.Text(XSamples.XActivityReceived)));

            Assert.That(message.EventId, Is.EqualTo("1859999999999999001"));
            Assert.That(message.SenderScreenName, Is.EqualTo("furiouscamper"));
            Assert.That(message.SenderName, Is.EqualTo("Jordan Brinks"));
            Assert.That(message.Text, Is.EqualTo("Is my order <#123> shipped?"));
        }

        [Test]
        public void Should_publish_a_dm_sent_by_the_bot_as_its_echo_without_the_text()
        {
            var translation = Translate(XSamples.Text(XSamples.XActivitySent));
            var outgoing = translation.Messages.Single();

            Assert.That(outgoing.Message, Is.EqualTo(new DirectMessageSentByAccount
            {
                EventId = "1859999999999999002",
                DirectMessageId = "1859999999999999002",
                BotUserId = TestCredentials.BotUserId,
                BotId = $"bot-for-{TestCredentials.BotUserId}",
                UserId = "3001969357",
                CreatedAt = DateTimeOffset.FromUnixTimeMilliseconds(1732186801000),
            }));
            Assert.That(JsonSerializer.Serialize(outgoing.Message), Does.Not.Contain("shipped"), "never the text");
            Assert.That((outgoing.MessageId, outgoing.ConversationKey, outgoing.EventType),
                Is.EqualTo((MessageIds.For(TestCredentials.BotUserId, "1859999999999999002"), ConversationKeys.For(TestCredentials.BotUserId, "3001969357"), XActivityTypes.Sent)));
            Assert.That(translation.Dropped, Is.Empty);
        }

        [Test]
        public void Should_drop_the_echo_of_a_dm_to_another_configured_bot() =>
            Assert.That(Translate(XSamples.Text(XSamples.XActivitySent), TestCredentials.BotUserId, "3001969357").Dropped,
                Is.EqualTo(new[] { new DroppedEvent(XActivityTypes.Sent, DropReason.Echo) }));

        [TestCase(XActivityTypes.Read)]
        [TestCase(XActivityTypes.IndicateTyping)]
        public void Should_count_and_drop_read_receipts_and_typing(string eventType)
        {
            var sample = Sample(XSamples.XActivityReceived);
            sample["data"]!["event_type"] = eventType;

            var translation = Translate(sample.ToJsonString());

            Assert.That(translation.Messages, Is.Empty);
            Assert.That(translation.Dropped, Is.EqualTo(new[] { new DroppedEvent(eventType, DropReason.NotRelevant) }));
        }
    }

    public class When_X_sends_events_that_are_not_direct_messages
    {
        [TestCase(XSamples.IndicateTyping, "direct_message_indicate_typing_events")]
        [TestCase(XSamples.MarkRead, "direct_message_mark_read_events")]
        public void Should_count_and_drop_typing_and_read_receipts(string sample, string type) =>
            Assert.That(Translate(XSamples.Text(sample)).Dropped, Is.EqualTo(new[] { new DroppedEvent(type, DropReason.NotRelevant) }));

        [TestCase(0, "follow_events")]
        [TestCase(1, "tweet_delete_events")]
        public void Should_count_and_drop_follows_and_tweets(int index, string type) =>
            Assert.That(Translate(Sample(XSamples.OtherEvents)[index]!.ToJsonString()).Dropped,
                Is.EqualTo(new[] { new DroppedEvent(type, DropReason.NotRelevant) }));

        [Test]
        public void Should_publish_a_configured_bots_revoke()
        {
            var revoke = Single<BotAccessRevoked>(Translate(Sample(XSamples.OtherEvents)[2]!.ToJsonString(), "63046977"));

            Assert.That(revoke, Is.EqualTo(new BotAccessRevoked
            {
                BotUserId = "63046977",
                BotId = "bot-for-63046977",
                AppId = "13090192",
                RevokedAt = new DateTimeOffset(2018, 5, 24, 9, 48, 12, TimeSpan.Zero),
            }));
        }

        [Test]
        public void Should_not_publish_the_revoke_of_an_account_that_is_not_a_bot() =>
            Assert.That(Translate(Sample(XSamples.OtherEvents)[2]!.ToJsonString()).Dropped,
                Is.EqualTo(new[] { new DroppedEvent(EventTypes.Revoke, DropReason.UnknownAccount, 1, "63046977") }));

        [Test]
        public void Should_publish_a_replay_job_status() =>
            Assert.That(Single<ReplayJobStatusReported>(Translate(Sample(XSamples.OtherEvents)[3]!.ToJsonString())), Is.EqualTo(new ReplayJobStatusReported
            {
                JobId = "1095098195724558337",
                WebhookId = "1234577122340233217",
                JobState = "Complete",
                Description = "Job completed successfully",
            }));
    }

    public class When_the_body_is_not_an_X_event
    {
        [TestCase("not json", TestName = "Should_refuse_text")]
        [TestCase("null", TestName = "Should_refuse_null")]
        [TestCase("""{"for_user_id": 4.5}""", TestName = "Should_refuse_a_fractional_id")]
        [TestCase("""{"for_user_id": "1", "direct_message_events": {}}""", TestName = "Should_refuse_a_mistyped_member")]
        public void Should_refuse_it_as_json(string body) =>
            Assert.That(() => WebhookBody.Parse(Encoding.UTF8.GetBytes(body)), Throws.InstanceOf<JsonException>());

        [TestCase("{}", TestName = "Should_refuse_an_empty_object")]
        [TestCase("""{"direct_message_events": []}""", TestName = "Should_refuse_events_without_for_user_id")]
        [TestCase("""{"data": {"event_type": "dm.received"}}""", TestName = "Should_refuse_an_activity_envelope_without_payload")]
        [TestCase("""{"data": {"event_type": "dm.received", "payload": {}}, "for_user_id": "1"}""", TestName = "Should_refuse_a_mix_of_both_envelopes")]
        [TestCase("""{"hello": "world"}""", TestName = "Should_refuse_an_unrelated_object")]
        public void Should_refuse_it_as_an_envelope(string body) =>
            Assert.That(() => WebhookEnvelope.From(WebhookBody.Parse(Encoding.UTF8.GetBytes(body))), Throws.InstanceOf<UnrecognizedWebhookException>());
    }
}
