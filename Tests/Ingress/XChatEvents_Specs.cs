using System.Diagnostics.Metrics;
using System.Net;
using System.Text;
using MassTransit.Testing;
using Microsoft.Extensions.DependencyInjection;
using TwitterBot.Contracts;
using TwitterBot.Conventions.Ids;
using TwitterBot.Ingress.Webhooks;
using TwitterBot.Simulators;
using TwitterBot.Tests.Support;

namespace TwitterBot.Tests.Ingress;

/// <summary>
/// XChat's <c>chat.received</c> / <c>chat.sent</c> through the Ingress, shaped like docs.x.com xchat/real-time-events
/// ("Payload shape (live)"): the Ingress holds no keys, so it publishes the ciphertext as delivered, under an id derived
/// from <c>event_uuid</c> (X: deduplicate deliveries on it), with the conversation key of the pair's legacy DMs.
/// </summary>
public static class XChatEvents_Specs
{
    private const string Person = "3001969357";
    private const string EventUuid = "0f52b591-4b7e-4f13-92cd-30e6b2a3f18a";

    /// <summary>Opaque to the Ingress: any base64 stands for X's Thrift event.</summary>
    private static readonly string EncodedEvent = Convert.ToBase64String(Encoding.UTF8.GetBytes("a message event X encrypted"));
    private static readonly string EncodedKeyChange = Convert.ToBase64String(Encoding.UTF8.GetBytes("a key change event"));

    private static string OneToOne => FakeXApi.OneToOneConversationId(TestCredentials.BotUserId, Person);

    private static string Key(string type, string outcome) => $"{IngressMetrics.EventsInstrument}{{event.type={type},outcome={outcome}}}";

    public class When_chat_received_arrives : IngressSpec
    {
        [Test]
        public async Task Should_publish_the_ciphertext_as_delivered()
        {
            using var response = await Ingress.PostWebhookAsync(XChatDeliveries.ChatReceived(
                TestCredentials.BotUserId, EventUuid, OneToOne, Person, EncodedEvent, "1782945126642", EncodedKeyChange));

            Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.OK));
            var published = Harness.Published.Select<EncryptedChatEventReceived>().Single().Context.Message;
            Assert.That(published.EventId, Is.EqualTo(EventUuid));
            Assert.That(published.Direction, Is.EqualTo(ChatEventDirection.Received));
            Assert.That(published.BotUserId, Is.EqualTo(TestCredentials.BotUserId));
            Assert.That(published.BotId, Is.EqualTo(TestCredentials.BotId));
            Assert.That(published.SenderId, Is.EqualTo(Person));
            Assert.That(published.ConversationId, Is.EqualTo(OneToOne));
            Assert.That(published.EncodedEvent, Is.EqualTo(EncodedEvent));
            Assert.That(published.ConversationKeyVersion, Is.EqualTo("1782945126642"));
            Assert.That(published.ConversationKeyChangeEvent, Is.EqualTo(EncodedKeyChange));
        }

        [Test]
        public async Task Should_route_it_by_the_conversation_key_of_the_pairs_legacy_DMs()
        {
            using var response = await Ingress.PostWebhookAsync(XChatDeliveries.ChatReceived(TestCredentials.BotUserId, EventUuid, OneToOne, Person, EncodedEvent));

            Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.OK));
            var published = Harness.Published.Select<EncryptedChatEventReceived>().Single();
            Assert.That(published.Context.Headers.Get<string>(ConversationKeys.Header), Is.EqualTo(ConversationKeys.For(TestCredentials.BotUserId, Person)));
        }

        [Test]
        public async Task Should_publish_without_the_optional_key_fields()
        {
            using var response = await Ingress.PostWebhookAsync(XChatDeliveries.ChatReceived(TestCredentials.BotUserId, EventUuid, OneToOne, Person, EncodedEvent));

            var published = Harness.Published.Select<EncryptedChatEventReceived>().Single().Context.Message;
            Assert.That(published.ConversationKeyVersion, Is.Null);
            Assert.That(published.ConversationKeyChangeEvent, Is.Null);
        }
    }

    public class When_X_delivers_the_same_event_twice : IngressSpec
    {
        [Test]
        public async Task Should_publish_it_under_one_message_id_derived_from_event_uuid()
        {
            var delivery = XChatDeliveries.ChatReceived(TestCredentials.BotUserId, EventUuid, OneToOne, Person, EncodedEvent);
            using var first = await Ingress.PostWebhookAsync(delivery);
            using var again = await Ingress.PostWebhookAsync(delivery);
            using var other = await Ingress.PostWebhookAsync(XChatDeliveries.ChatReceived(TestCredentials.BotUserId, "another-delivery", OneToOne, Person, EncodedEvent));

            Assert.That(new[] { first.StatusCode, again.StatusCode, other.StatusCode }, Is.All.EqualTo(HttpStatusCode.OK));
            var ids = Harness.Published.Select<EncryptedChatEventReceived>().Select(p => p.Context.MessageId).Distinct().ToList();
            Assert.That(ids, Is.EqualTo(new Guid?[]
            {
                MessageIds.For(TestCredentials.BotUserId, $"chat:{EventUuid}"),
                MessageIds.For(TestCredentials.BotUserId, "chat:another-delivery"),
            }));
        }
    }

    public class When_chat_sent_arrives : IngressSpec
    {
        [Test]
        public async Task Should_publish_it_as_sent_in_the_users_conversation()
        {
            using var response = await Ingress.PostWebhookAsync(XChatDeliveries.ChatReceived(
                TestCredentials.BotUserId, EventUuid, OneToOne, TestCredentials.BotUserId, EncodedEvent, eventType: "chat.sent"));

            Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.OK));
            var published = Harness.Published.Select<EncryptedChatEventReceived>().Single();
            Assert.That(published.Context.Message.Direction, Is.EqualTo(ChatEventDirection.Sent));
            Assert.That(published.Context.Message.SenderId, Is.EqualTo(TestCredentials.BotUserId));
            Assert.That(published.Context.Headers.Get<string>(ConversationKeys.Header), Is.EqualTo(ConversationKeys.For(TestCredentials.BotUserId, Person)));
        }
    }

    public class When_a_group_event_arrives : IngressSpec
    {
        [Test]
        public async Task Should_publish_it_in_a_conversation_of_its_own()
        {
            using var response = await Ingress.PostWebhookAsync(XChatDeliveries.ChatReceived(TestCredentials.BotUserId, EventUuid, "g1900000000000000001", Person, EncodedEvent));

            Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.OK));
            var published = Harness.Published.Select<EncryptedChatEventReceived>().Single();
            Assert.That(published.Context.Headers.Get<string>(ConversationKeys.Header), Is.EqualTo($"{TestCredentials.BotUserId}:chat:g1900000000000000001"));
        }
    }

    public class When_the_event_is_broken : IngressSpec
    {
        [Test]
        public async Task Should_count_ciphertext_that_is_not_base64_as_malformed_and_answer_200()
        {
            using var metrics = new MeasuredMetrics(Ingress.Services.GetRequiredService<IMeterFactory>(), IngressMetrics.MeterName);

            using var response = await Ingress.PostWebhookAsync(XChatDeliveries.ChatReceived(TestCredentials.BotUserId, EventUuid, OneToOne, Person, "not base64!"));

            Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.OK));
            Assert.That(await Harness.Published.Any<EncryptedChatEventReceived>(), Is.False);
            Assert.That(metrics.Totals, Does.ContainKey(Key(XActivityTypes.ChatReceived, "malformed")).WithValue(1));
        }

        [Test]
        public async Task Should_count_a_key_change_that_is_not_base64_as_malformed()
        {
            using var metrics = new MeasuredMetrics(Ingress.Services.GetRequiredService<IMeterFactory>(), IngressMetrics.MeterName);

            using var response = await Ingress.PostWebhookAsync(XChatDeliveries.ChatReceived(TestCredentials.BotUserId, EventUuid, OneToOne, Person, EncodedEvent, "1", "%%%"));

            Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.OK));
            Assert.That(await Harness.Published.Any<EncryptedChatEventReceived>(), Is.False);
            Assert.That(metrics.Totals, Does.ContainKey(Key(XActivityTypes.ChatReceived, "malformed")).WithValue(1));
        }

        [TestCase("encoded_event", TestName = "Should_count_an_event_without_encoded_event_as_incomplete")]
        [TestCase("conversation_id", TestName = "Should_count_an_event_without_conversation_id_as_incomplete")]
        [TestCase("sender_id", TestName = "Should_count_an_event_without_sender_id_as_incomplete")]
        public async Task Incomplete(string member)
        {
            using var metrics = new MeasuredMetrics(Ingress.Services.GetRequiredService<IMeterFactory>(), IngressMetrics.MeterName);
            var delivery = XChatDeliveries.Delivery(TestCredentials.BotUserId, EventUuid, OneToOne, Person, EncodedEvent);
            delivery["data"]!["payload"]!.AsObject().Remove(member);

            using var response = await Ingress.PostWebhookAsync(delivery.ToJsonString());

            Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.OK));
            Assert.That(await Harness.Published.Any<EncryptedChatEventReceived>(), Is.False);
            Assert.That(metrics.Totals, Does.ContainKey(Key(XActivityTypes.ChatReceived, "incomplete")).WithValue(1));
        }

        [Test]
        public async Task Should_count_an_event_without_event_uuid_as_incomplete()
        {
            using var metrics = new MeasuredMetrics(Ingress.Services.GetRequiredService<IMeterFactory>(), IngressMetrics.MeterName);
            var delivery = XChatDeliveries.Delivery(TestCredentials.BotUserId, EventUuid, OneToOne, Person, EncodedEvent);
            delivery["data"]!.AsObject().Remove("event_uuid");

            using var response = await Ingress.PostWebhookAsync(delivery.ToJsonString());

            Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.OK));
            Assert.That(await Harness.Published.Any<EncryptedChatEventReceived>(), Is.False);
            Assert.That(metrics.Totals, Does.ContainKey(Key(XActivityTypes.ChatReceived, "incomplete")).WithValue(1));
        }

        [Test]
        public async Task Should_refuse_a_payload_member_of_the_wrong_JSON_type_with_400()
        {
            var delivery = XChatDeliveries.Delivery(TestCredentials.BotUserId, EventUuid, OneToOne, Person, EncodedEvent);
            delivery["data"]!["payload"]!["encoded_event"] = 42;

            using var response = await Ingress.PostWebhookAsync(delivery.ToJsonString());

            Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.BadRequest));
            Assert.That(await Harness.Published.Any<EncryptedChatEventReceived>(), Is.False);
        }
    }

    public class When_the_event_is_for_an_account_that_is_not_a_bot : IngressSpec
    {
        [Test]
        public async Task Should_count_it_as_for_an_unknown_account()
        {
            using var metrics = new MeasuredMetrics(Ingress.Services.GetRequiredService<IMeterFactory>(), IngressMetrics.MeterName);

            using var response = await Ingress.PostWebhookAsync(XChatDeliveries.ChatReceived("1111111111", EventUuid, FakeXApi.OneToOneConversationId("1111111111", Person), Person, EncodedEvent));

            Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.OK));
            Assert.That(await Harness.Published.Any<EncryptedChatEventReceived>(), Is.False);
            Assert.That(metrics.Totals, Does.ContainKey(Key(XActivityTypes.ChatReceived, "unknown_account")).WithValue(1));
        }
    }

    public class When_the_delivery_has_no_filter
    {
        [Test]
        public void Should_find_the_bot_among_the_conversations_participants()
        {
            var delivery = XChatDeliveries.Delivery(TestCredentials.BotUserId, EventUuid, OneToOne, Person, EncodedEvent);
            delivery["data"]!.AsObject().Remove("filter");

            var translation = Translate(delivery.ToJsonString());

            Assert.That(translation.Messages.Select(m => ((EncryptedChatEventReceived)m.Message).BotUserId), Is.EqualTo(new[] { TestCredentials.BotUserId }));
        }
    }

    public class When_one_configured_bot_writes_to_another
    {
        [Test]
        public void Should_drop_what_the_recipient_bot_receives_as_from_a_bot_and_the_senders_copy_as_an_echo()
        {
            var conversation = FakeXApi.OneToOneConversationId(TestCredentials.BotUserId, TestCredentials.SecondBotUserId);

            var received = Translate(XChatDeliveries.Delivery(TestCredentials.BotUserId, EventUuid, conversation, TestCredentials.SecondBotUserId, EncodedEvent).ToJsonString());
            var sent = Translate(XChatDeliveries.Delivery(TestCredentials.SecondBotUserId, "other", conversation, TestCredentials.SecondBotUserId, EncodedEvent, eventType: "chat.sent").ToJsonString());

            Assert.That(received.Messages, Is.Empty);
            Assert.That(received.Dropped.Select(d => d.Reason), Is.EqualTo(new[] { DropReason.FromBot }));
            Assert.That(sent.Messages, Is.Empty);
            Assert.That(sent.Dropped.Select(d => d.Reason), Is.EqualTo(new[] { DropReason.Echo }));
        }
    }

    [Category("Integration")]
    public class When_a_person_writes_through_both_XChat_and_legacy_DMs
    {
        [Test]
        public async Task Should_land_both_in_the_same_partition_queue_in_the_order_they_came()
        {
            await using var rig = await ConversationRig.StartAsync();
            var people = Enumerable.Range(0, 6).Select(n => (3001969357L + n * 7919).ToString(System.Globalization.CultureInfo.InvariantCulture)).ToList();
            var expected = new Dictionary<string, (string DirectMessage, string Chat)>();
            foreach (var (person, index) in people.Select((person, index) => (person, index)))
            {
                var dmId = $"18600000000000{index:D5}";
                var uuid = Guid.NewGuid().ToString();
                await rig.PostAsync(dmId, "legacy first", person);
                using var chat = await rig.Ingress.PostWebhookAsync(XChatDeliveries.ChatReceived(
                    TestCredentials.BotUserId, uuid, FakeXApi.OneToOneConversationId(TestCredentials.BotUserId, person), person, EncodedEvent));
                Assert.That(chat.StatusCode, Is.EqualTo(HttpStatusCode.OK));
                expected[person] = (MessageIds.For(TestCredentials.BotUserId, dmId).ToString(), MessageIds.For(TestCredentials.BotUserId, $"chat:{uuid}").ToString());
            }

            var queues = new List<(string Queue, List<string?> Ids)>();
            foreach (var queue in TestSettings.PartitionQueues)
            {
                queues.Add((queue, (await rig.Broker.PeekAsync(queue)).Select(m => m.MessageId).ToList()));
            }

            foreach (var (person, (dm, chatId)) in expected)
            {
                var holding = queues.Where(q => q.Ids.Contains(dm) || q.Ids.Contains(chatId)).ToList();
                Assert.That(holding, Has.Count.EqualTo(1), $"person {person}: both in one partition");
                Assert.That(holding[0].Ids.IndexOf(dm), Is.LessThan(holding[0].Ids.IndexOf(chatId)).And.Not.Negative, $"person {person}: in order");
            }
        }
    }

    public class When_a_conversation_key_is_computed_for_an_XChat_conversation
    {
        [TestCase("4337869213-3001969357")]
        [TestCase("3001969357-4337869213")]
        [TestCase("3001969357:4337869213")]
        public void Should_be_the_pairs_DM_key_whichever_way_the_id_is_written(string conversationId) =>
            Assert.That(ConversationKeys.ForChat(TestCredentials.BotUserId, conversationId), Is.EqualTo(ConversationKeys.For(TestCredentials.BotUserId, Person)));

        [TestCase("g1900000000000000001")]
        [TestCase("1111111111-3001969357")]
        [TestCase("4337869213-4337869213")]
        [TestCase("4337869213-")]
        [TestCase("4337869213-3001969357-1")]
        [TestCase("x4337869213-3001969357")]
        public void Should_be_a_conversation_of_its_own_when_it_is_not_a_one_to_one_with_the_bot(string conversationId)
        {
            Assert.That(ConversationKeys.ChatPeer(TestCredentials.BotUserId, conversationId), Is.Null);
            Assert.That(ConversationKeys.ForChat(TestCredentials.BotUserId, conversationId), Is.EqualTo($"{TestCredentials.BotUserId}:chat:{conversationId}"));
        }
    }

    private static WebhookTranslation Translate(string json)
    {
        var options = Microsoft.Extensions.Options.Options.Create(new TwitterBot.Conventions.Accounts.TwitterBotOptions
        {
            Bots =
            [
                new TwitterBot.Conventions.Accounts.BotOptions { UserId = TestCredentials.BotUserId, BotId = TestCredentials.BotId },
                new TwitterBot.Conventions.Accounts.BotOptions { UserId = TestCredentials.SecondBotUserId, BotId = "bot-project-2" },
            ],
        });
        var translator = new WebhookEventTranslator(new TwitterBot.Conventions.Accounts.BotAccounts(options), TimeProvider.System);
        return translator.Translate(WebhookEnvelope.From(WebhookBody.Parse(Encoding.UTF8.GetBytes(json))));
    }
}
