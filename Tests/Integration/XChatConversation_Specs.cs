using System.Diagnostics.Metrics;
using System.Net;
using System.Security.Cryptography;
using System.Text.Json.Nodes;
using Microsoft.Extensions.DependencyInjection;
using Npgsql;
using TwitterBot.Contracts;
using TwitterBot.Conventions.Ids;
using TwitterBot.Processor.Conversations;
using TwitterBot.Processor.Conversations.Saga;
using TwitterBot.Processor.XChat;
using TwitterBot.Processor.XChat.Protocol;
using TwitterBot.Simulators;
using TwitterBot.Tests.Support;

namespace TwitterBot.Tests.Integration;

/// <summary>
/// XChat end to end on the real broker and PostgreSQL: a simulated user (own keys, own conversation key) sends the bot
/// sealed, signed messages through the Ingress's <c>chat.received</c>; the Processor verifies, decrypts, takes the same
/// turn as a legacy DM, and replies sealed and signed; the simulated X takes a reply only when it verifies with the
/// bot's served keys and decrypts with the conversation's key. The simulator's crypto is the project's own protocol
/// code (<c>Processor/XChat/Protocol</c>), so X's published vectors (Tests/XChat) are what keep both honest.
/// </summary>
[Category("Integration")]
public static class XChatConversation_Specs
{
    private const string User = "3001969357";
    private const string OtherUser = "3001969358";
    private const string Group = "g1900000000000000001";

    /// <summary>The bot's X handle (<c>TwitterBot:XChat:Bots:0:ScreenName</c>): what a group mention of it reads.</summary>
    private const string ScreenName = "acme_support";

    private static readonly TimeSpan Patience = ConversationRig.Patience;

    /// <summary>A rig whose bot speaks XChat: its key pair registered with the simulated X and configured as its secret.</summary>
    /// <summary>The rig with XChat on for the bot, and the bot's key pair; disposes both.</summary>
    private sealed record XChatRig(ConversationRig Rig, XChatKeyPair BotKeys) : IAsyncDisposable
    {
        public async ValueTask DisposeAsync()
        {
            BotKeys.Dispose();
            await Rig.DisposeAsync();
        }
    }

    private static async Task<XChatRig> StartAsync()
    {
        var rig = await ConversationRig.StartAsync();
        var botKeys = XChatKeyPair.Generate("1");
        rig.X.RegisterPublicKey(TestCredentials.BotUserId, FakePublicKey.Of(botKeys, TestCredentials.BotUserId));
        rig.Settings["TwitterBot:XChat:Enabled"] = "true";
        rig.Settings["TwitterBot:XChat:ConversationKeysSecret"] = Convert.ToBase64String(RandomNumberGenerator.GetBytes(32));
        rig.Settings["TwitterBot:XChat:Bots:0:UserId"] = TestCredentials.BotUserId;
        rig.Settings["TwitterBot:XChat:Bots:0:PrivateKeysSecret"] = botKeys.ExportBlob();
        rig.Settings["TwitterBot:XChat:Bots:0:KeyVersion"] = botKeys.KeyVersion;
        rig.Settings["TwitterBot:XChat:Bots:0:ScreenName"] = ScreenName;
        return new XChatRig(rig, botKeys);
    }

    /// <summary>The conversation saga of the bot's XChat conversation <paramref name="conversationId"/>, as PostgreSQL holds it.</summary>
    private static async Task<ConversationState> SagaAsync(ConversationRig rig, string conversationId)
    {
        await using var source = NpgsqlDataSource.Create(rig.Store.ConnectionString);
        var id = ConversationIds.For(ConversationKeys.ForChat(TestCredentials.BotUserId, conversationId));
        return await new PostgresConversationSagaStore(source, TimeProvider.System).LoadAsync(id, CancellationToken.None)
            ?? throw new AssertionException($"no conversation saga for {conversationId}");
    }

    private static async Task PostAsync(ConversationRig rig, byte[] delivery)
    {
        using var response = await rig.Ingress.PostWebhookAsync(delivery);
        Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.OK), "the Ingress accepting the chat.received delivery");
    }

    private static string Uuid() => Guid.NewGuid().ToString();

    public class When_a_user_sends_an_XChat_message
    {
        [Test]
        public async Task Should_answer_it_sealed_and_signed_by_the_bot_in_the_same_conversation()
        {
            await using var started = await StartAsync();
            var (rig, botKeys) = started;
            using var user = new FakeChatUser(rig.X, User, TestCredentials.BotUserId);
            user.ChangeKey();
            await rig.StartProcessorAsync();

            await PostAsync(rig, user.Delivery(Uuid(), user.Seal("hello over xchat"), attachKeyChange: true));

            var replies = await rig.X.WaitForChatRepliesAsync(1, Patience);
            Assert.That(replies.Single().Text, Is.EqualTo("You said: hello over xchat"), "decrypted by the simulated X with the user's conversation key");
            Assert.That(replies.Single().SenderId, Is.EqualTo(TestCredentials.BotUserId));
            Assert.That(replies.Single().ConversationId, Is.EqualTo(user.ConversationId));
            Assert.That(rig.Gateway.AskedTexts, Is.EqualTo(new[] { "hello over xchat" }));
            Assert.That(rig.X.RefusedChatSubmissions, Is.Empty, "every reply verified");
            Assert.That(rig.X.Sent, Is.Empty, "nothing went out as a legacy DM");
            Assert.That(await rig.DeadLettersAsync(), Is.Zero);
        }
    }

    public class When_the_user_rotates_the_conversation_key_mid_conversation
    {
        [Test]
        public async Task Should_fetch_the_new_key_from_the_conversation_and_answer_under_it()
        {
            await using var started = await StartAsync();
            var (rig, botKeys) = started;
            using var user = new FakeChatUser(rig.X, User, TestCredentials.BotUserId);
            user.ChangeKey();
            var first = user.CurrentKey!.KeyVersion;
            var processor = await rig.StartProcessorAsync();
            var consumed = processor.CountConsumed<EncryptedChatEventReceived>();
            await PostAsync(rig, user.Delivery(Uuid(), user.Seal("before"), attachKeyChange: true));
            await rig.X.WaitForChatRepliesAsync(1, Patience);

            user.ChangeKey();
            // Not attached: the bot finds the new key among the conversation's events.
            await PostAsync(rig, user.Delivery(Uuid(), user.Seal("after"), attachKeyChange: false));

            var replies = await rig.X.WaitForChatRepliesAsync(2, Patience);
            Assert.That(replies.Select(r => r.Text), Is.EqualTo(new[] { "You said: before", "You said: after" }));
            Assert.That(replies.Select(r => r.ConversationKeyVersion), Is.EqualTo(new[] { first, user.CurrentKey!.KeyVersion }),
                "the reply after the rotation is sealed with the newest key");
            Assert.That(user.CurrentKey!.KeyVersion, Is.Not.EqualTo(first));
            await consumed.WaitForAsync(2, Patience);
            Assert.That((await SagaAsync(rig, user.ConversationId)).XChatKeyVersions, Is.EqualTo(new[] { first, user.CurrentKey!.KeyVersion }),
                "the conversation saga records each key version the bot learnt, oldest first");
            Assert.That(await rig.DeadLettersAsync(), Is.Zero);
        }
    }

    public class When_a_message_does_not_verify
    {
        [Test]
        public async Task Should_refuse_it_without_asking_the_gateway_and_answer_the_next_one()
        {
            await using var started = await StartAsync();
            var (rig, botKeys) = started;
            using var user = new FakeChatUser(rig.X, User, TestCredentials.BotUserId);
            user.ChangeKey();
            using var forger = XChatKeyPair.Generate("1");
            var processor = await rig.StartProcessorAsync();
            using var metrics = new MeasuredMetrics(processor.Services.GetRequiredService<IMeterFactory>(), ProcessorTelemetry.Name);
            var consumed = processor.CountConsumed<EncryptedChatEventReceived>();
            await PostAsync(rig, user.Delivery(Uuid(), user.Seal("genuine"), attachKeyChange: true));
            await rig.X.WaitForChatRepliesAsync(1, Patience);

            // Encrypted with the right conversation key, but signed with keys that are not the user's.
            var forged = XChatProtocol.SealMessage(forger, User, user.CurrentKey!, "send me the admin password", Guid.NewGuid().ToString()).ToEvent("99", "1");
            await PostAsync(rig, user.Delivery(Uuid(), forged));
            await PostAsync(rig, user.Delivery(Uuid(), user.Seal("still there?")));

            var replies = await rig.X.WaitForChatRepliesAsync(2, Patience);
            await consumed.WaitForAsync(3, Patience);
            Assert.That(replies.Select(r => r.Text), Is.EqualTo(new[] { "You said: genuine", "You said: still there?" }));
            Assert.That(rig.Gateway.AskedTexts, Is.EqualTo(new[] { "genuine", "still there?" }), "the forged message never reached the gateway");
            Assert.That(consumed.Faulted, Is.Zero, "refused for good: consumed, not retried into _error");
            Assert.That(metrics.Totals, Does.ContainKey("twitterbot.processor.xchat.events{kind=rejected,outcome=invalid_signature}").WithValue(1L)
                .And.ContainKey("twitterbot.processor.xchat.events{kind=message,outcome=opened}").WithValue(2L));
            Assert.That(await rig.DeadLettersAsync(), Is.Zero);
        }
    }

    public class When_a_legacy_DM_and_an_XChat_message_reach_the_same_bot
    {
        [Test]
        public async Task Should_answer_each_on_the_system_it_came_in_on()
        {
            await using var started = await StartAsync();
            var (rig, botKeys) = started;
            using var user = new FakeChatUser(rig.X, User, TestCredentials.BotUserId);
            user.ChangeKey();
            await rig.StartProcessorAsync();

            await rig.PostAsync("1870000000000000001", "legacy hello", OtherUser);
            await PostAsync(rig, user.Delivery(Uuid(), user.Seal("xchat hello"), attachKeyChange: true));

            var dms = await rig.X.WaitForDirectMessagesAsync(1, Patience);
            var replies = await rig.X.WaitForChatRepliesAsync(1, Patience);
            Assert.That(dms.Single().Text, Is.EqualTo("You said: legacy hello"));
            Assert.That(dms.Single().RecipientId, Is.EqualTo(OtherUser));
            Assert.That(replies.Single().Text, Is.EqualTo("You said: xchat hello"));
            Assert.That(replies.Single().ConversationId, Is.EqualTo(user.ConversationId));
            Assert.That(rig.X.ChatReplies, Has.Count.EqualTo(1), "the legacy DM was not answered over XChat");
            Assert.That(rig.X.Sent, Has.Count.EqualTo(1), "the XChat message was not answered as a legacy DM");
        }
    }

    public class When_the_same_chat_event_is_delivered_three_times
    {
        [Test]
        public async Task Should_ask_the_gateway_once_and_reply_once()
        {
            await using var started = await StartAsync();
            var (rig, botKeys) = started;
            using var user = new FakeChatUser(rig.X, User, TestCredentials.BotUserId);
            user.ChangeKey();
            var processor = await rig.StartProcessorAsync();
            var consumed = processor.CountConsumed<EncryptedChatEventReceived>();
            var uuid = Uuid();
            var sealedOnce = user.Seal("hello once");
            var delivery = user.Delivery(uuid, sealedOnce, attachKeyChange: true);

            for (var attempt = 0; attempt < 3; attempt++)
            {
                await PostAsync(rig, delivery);
            }

            await consumed.WaitForAsync(3, Patience);
            Assert.That(consumed.Faulted, Is.Zero);
            Assert.That(rig.Gateway.AskedTexts, Is.EqualTo(new[] { "hello once" }));
            Assert.That(rig.X.ChatSubmissions.Select(s => s.MessageId).Distinct().Count(), Is.EqualTo(1));
            Assert.That(rig.X.ChatReplies.Select(r => r.Text), Is.EqualTo(new[] { "You said: hello once" }));
        }
    }
    public class When_a_user_sends_a_burst_through_two_replicas
    {
        [Test]
        public async Task Should_ask_the_gateway_and_reply_in_the_order_the_user_wrote()
        {
            await using var started = await StartAsync();
            var (rig, botKeys) = started;
            using var user = new FakeChatUser(rig.X, User, TestCredentials.BotUserId);
            user.ChangeKey();
            var failures = 1;
            rig.Gateway.Override = request => Interlocked.Decrement(ref failures) >= 0 ? Microsoft.AspNetCore.Http.Results.StatusCode(503) : null;
            await rig.StartProcessorAsync();
            await rig.StartProcessorAsync();

            for (var i = 1; i <= 5; i++)
            {
                await PostAsync(rig, user.Delivery(Uuid(), user.Seal($"message {i}"), attachKeyChange: i == 1));
            }

            var replies = await rig.X.WaitForChatRepliesAsync(5, Patience);
            Assert.That(replies.Select(r => r.Text), Is.EqualTo(Enumerable.Range(1, 5).Select(i => $"You said: message {i}")));
            Assert.That(rig.Gateway.AskedTexts, Is.EqualTo(new[] { "message 1", "message 1", "message 2", "message 3", "message 4", "message 5" }),
                "the failed first message was retried before the next one was asked about");
            Assert.That(await rig.DeadLettersAsync(), Is.Zero);
        }
    }
    public class When_group_messages_arrive
    {
        [Test]
        public async Task Should_answer_into_the_group_only_the_one_that_mentions_the_bot()
        {
            await using var started = await StartAsync();
            var (rig, botKeys) = started;
            using var member = new FakeChatUser(rig.X, User, TestCredentials.BotUserId, groupId: Group);
            member.ChangeKey();
            var processor = await rig.StartProcessorAsync();
            using var metrics = new MeasuredMetrics(processor.Services.GetRequiredService<IMeterFactory>(), ProcessorTelemetry.Name);
            var consumed = processor.CountConsumed<EncryptedChatEventReceived>();

            await PostAsync(rig, member.Delivery(Uuid(), member.Seal("anyone around?"), attachKeyChange: true));
            await PostAsync(rig, member.Delivery(Uuid(), member.Seal("@someone_else hi, and acme_support without its @")));
            await PostAsync(rig, member.Delivery(Uuid(), member.Seal("@Acme_Support what are your hours?")));

            var replies = await rig.X.WaitForChatRepliesAsync(1, Patience);
            await consumed.WaitForAsync(3, Patience);
            Assert.That(replies.Single().Text, Is.EqualTo("You said: what are your hours?"), "decrypted by the group's member with the group's key");
            Assert.That(replies.Single().ConversationId, Is.EqualTo(Group), "answered into the group");
            Assert.That(rig.Gateway.AskedTexts, Is.EqualTo(new[] { "what are your hours?" }), "only the mention reached the gateway, without the bot's handle");
            Assert.That(metrics.Totals, Does.ContainKey("twitterbot.processor.xchat.events{kind=ignored,outcome=not_mentioned}").WithValue(2L)
                .And.ContainKey("twitterbot.processor.xchat.events{kind=message,outcome=opened}").WithValue(1L));
            Assert.That(rig.X.RefusedChatSubmissions, Is.Empty);
            Assert.That(consumed.Faulted, Is.Zero);
        }

        [Test]
        public async Task Should_answer_none_when_groups_are_ignored_even_when_the_bot_is_mentioned()
        {
            await using var started = await StartAsync();
            var (rig, botKeys) = started;
            rig.Settings["TwitterBot:XChat:Groups"] = "Ignore";
            using var member = new FakeChatUser(rig.X, User, TestCredentials.BotUserId, groupId: Group);
            member.ChangeKey();
            using var user = new FakeChatUser(rig.X, OtherUser, TestCredentials.BotUserId);
            user.ChangeKey();
            var processor = await rig.StartProcessorAsync();
            using var metrics = new MeasuredMetrics(processor.Services.GetRequiredService<IMeterFactory>(), ProcessorTelemetry.Name);
            var consumed = processor.CountConsumed<EncryptedChatEventReceived>();

            await PostAsync(rig, member.Delivery(Uuid(), member.Seal("@acme_support hello group"), attachKeyChange: true));
            await PostAsync(rig, user.Delivery(Uuid(), user.Seal("hello alone"), attachKeyChange: true));

            var replies = await rig.X.WaitForChatRepliesAsync(1, Patience);
            await consumed.WaitForAsync(2, Patience);
            Assert.That(replies.Single().Text, Is.EqualTo("You said: hello alone"));
            Assert.That(rig.Gateway.AskedTexts, Is.EqualTo(new[] { "hello alone" }), "the group message never reached the gateway");
            Assert.That(metrics.Totals, Does.ContainKey("twitterbot.processor.xchat.events{kind=ignored,outcome=group}").WithValue(1L));
            Assert.That(consumed.Faulted, Is.Zero);
        }
    }

    public class When_groups_are_all_answered
    {
        [Test]
        public async Task Should_answer_a_group_message_that_does_not_mention_the_bot()
        {
            await using var started = await StartAsync();
            var (rig, botKeys) = started;
            rig.Settings["TwitterBot:XChat:Groups"] = "All";
            using var member = new FakeChatUser(rig.X, User, TestCredentials.BotUserId, groupId: Group);
            member.ChangeKey();
            await rig.StartProcessorAsync();

            await PostAsync(rig, member.Delivery(Uuid(), member.Seal("anyone around?"), attachKeyChange: true));

            var reply = (await rig.X.WaitForChatRepliesAsync(1, Patience)).Single();
            Assert.That((reply.ConversationId, reply.Text), Is.EqualTo((Group, "You said: anyone around?")));
            Assert.That(rig.Gateway.AskedTexts, Is.EqualTo(new[] { "anyone around?" }));
        }
    }

    public class When_media_travels_over_XChat
    {
        [Test]
        public async Task Should_tell_the_gateway_of_an_unsupported_attachment_and_send_the_bots_picture_as_its_link()
        {
            await using var started = await StartAsync();
            var (rig, botKeys) = started;
            rig.Gateway.Reactions = _ => new JsonArray(new JsonObject
            {
                ["text"] = "Here is a cat",
                ["attachments"] = new JsonArray(new JsonObject { ["type"] = "image", ["url"] = rig.Gateway.CatPictureUrl.ToString() }),
            });
            using var user = new FakeChatUser(rig.X, User, TestCredentials.BotUserId);
            user.ChangeKey();
            await rig.StartProcessorAsync();

            await PostAsync(rig, user.Delivery(Uuid(), user.Seal("look at mine", mediaHashKeys: ["0c1b2a39-media"]), attachKeyChange: true));

            var reply = (await rig.X.WaitForChatRepliesAsync(1, Patience)).Single();
            Assert.That(rig.Gateway.AskedTexts, Is.EqualTo(new[] { $"look at mine\n{XChatInbox.UnsupportedAttachment}" }));
            Assert.That(reply.Text, Is.EqualTo($"Here is a cat\n{rig.Gateway.CatPictureUrl}"), "the picture goes as its link, inside the sealed text");
            Assert.That(rig.X.Media, Is.Empty, "nothing was uploaded");
            Assert.That(rig.X.Sent, Is.Empty);
        }
    }

    public class When_a_person_at_the_brand_answers_over_XChat_from_the_X_app
    {
        [Test]
        public async Task Should_take_the_bots_own_echo_as_bookkeeping_and_hand_the_conversation_over_on_the_persons()
        {
            await using var started = await StartAsync();
            var (rig, botKeys) = started;
            using var user = new FakeChatUser(rig.X, User, TestCredentials.BotUserId);
            user.ChangeKey();
            var processor = await rig.StartProcessorAsync();
            var handovers = await processor.SubscribeAsync<ConversationHandedOver>();
            var consumed = processor.CountConsumed<EncryptedChatEventReceived>();
            await PostAsync(rig, user.Delivery(Uuid(), user.Seal("hello"), attachKeyChange: true));
            var answered = (await rig.X.WaitForChatRepliesAsync(1, Patience)).Single();

            // X echoes the bot's reply on the account's chat.sent subscription: the bot's own words.
            var ownEcho = rig.X.ChatEvents(user.ConversationId).Single(e => e.MessageId == answered.MessageId);
            await PostAsync(rig, XChatDeliveries.ChatReceived(TestCredentials.BotUserId, Uuid(), user.ConversationId, TestCredentials.BotUserId,
                ownEcho.EncodedEvent, user.CurrentKey!.KeyVersion, eventType: "chat.sent"));
            var humanUuid = Uuid();
            await PostAsync(rig, user.SentByAccount(humanUuid, botKeys, "Hi, Sam from the shop here."));
            await PostAsync(rig, user.Delivery(Uuid(), user.Seal("thanks Sam")));

            using var timeout = new CancellationTokenSource(Patience);
            var handedOver = await handovers.ReadAsync(timeout.Token);
            await consumed.WaitForAsync(4, Patience);
            var saga = await SagaAsync(rig, user.ConversationId);
            Assert.Multiple(() =>
            {
                Assert.That((handedOver.EventId, handedOver.UserId, handedOver.Source), Is.EqualTo((humanUuid, User, HandOverSource.XApp)),
                    "the person's message handed over, not the bot's echo before it");
                Assert.That(rig.Gateway.AskedTexts, Is.EqualTo(new[] { "hello" }), "the user's next message was held for the person");
                Assert.That(rig.X.ChatReplies, Has.Count.EqualTo(1));
                Assert.That(saga.HandedOverBy, Is.EqualTo(HandOverSource.XApp));
                Assert.That(saga.HumanUntil, Is.GreaterThan(DateTimeOffset.UtcNow), "held for Processor:Conversations:HumanPause");
                Assert.That(handovers.TryRead(out var second), Is.False, $"one hand-over only ({second?.EventId})");
                Assert.That(consumed.Faulted, Is.Zero);
            });
        }
    }
}
