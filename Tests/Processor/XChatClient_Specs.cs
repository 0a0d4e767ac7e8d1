using System.Net;
using System.Text;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using TwitterBot.Processor.Clients.X;
using TwitterBot.Processor.Extensions;
using XChatKeyPair = TwitterBot.Processor.XChat.Protocol.XChatKeyPair;
using XChatProtocol = TwitterBot.Processor.XChat.Protocol.XChatProtocol;
using TwitterBot.Tests.Support;

namespace TwitterBot.Tests.Processor;

/// <summary>
/// The XChat client as the Processor's DI builds it (Refit's generated client, OAuth 1.0a-signed as the bot) against the
/// X simulator's chat routes over real HTTP. The blobs are opaque base64 here, except a sent message: the simulator
/// takes only what verifies and decrypts, so the bot's message is sealed with the project's protocol.
/// </summary>
[Category("Integration")]
public static class XChatClient_Specs
{
    private const string Person = "3001969357";
    private static readonly XUserToken Bot = new(TestCredentials.BotAccessToken, TestCredentials.BotAccessSecret);

    private static string Blob(string what) => Convert.ToBase64String(Encoding.UTF8.GetBytes(what));

    private static string Conversation => FakeXApi.OneToOneConversationId(TestCredentials.BotUserId, Person);

    private static async Task<(FakeXApi X, IHost Host, XChatClient Client)> StartAsync()
    {
        var x = new FakeXApi();
        await x.StartAsync();
        var builder = Host.CreateEmptyApplicationBuilder(new HostApplicationBuilderSettings { DisableDefaults = true });
        var settings = TestSettings.Common();
        settings["TwitterBot:Api:TwitterUrl"] = x.ApiBaseAddress.ToString();
        settings["TwitterBot:Api:UploadUrl"] = x.ApiBaseAddress.ToString();
        builder.Configuration.AddInMemoryCollection(settings);
        builder.AddProcessorOptions();
        builder.AddApiClients();
        var host = builder.Build();
        return (x, host, host.Services.GetRequiredService<XChatClient>());
    }

    public class When_the_bot_reads_and_registers_public_keys
    {
        [Test]
        public async Task Should_read_a_users_keys_and_register_its_own_signed_as_the_bot()
        {
            var (x, host, client) = await StartAsync();
            await using var _ = x;
            using var __ = host;
            x.RegisterPublicKey(Person, new FakePublicKey("17", Blob("identity"), Blob("signing"), Blob("cross-signature")));

            var keys = await client.GetPublicKeysAsync(Person, Bot, CancellationToken.None);
            var none = await client.GetPublicKeysAsync("2222222222", Bot, CancellationToken.None);
            var registered = await client.RegisterPublicKeyAsync(TestCredentials.BotUserId, new XChatNewPublicKey(Blob("bot identity"), Blob("bot signing"), Blob("bot cross-signature")), "5", generateVersion: false, Bot, CancellationToken.None);

            Assert.That(keys, Is.EqualTo(new[] { new XChatPublicKey(Blob("identity"), Blob("signing"), Blob("cross-signature"), "17") }));
            Assert.That(none, Is.Empty);
            Assert.That(registered, Is.EqualTo("5"));
            Assert.That(x.PublicKeys[TestCredentials.BotUserId].Single(), Is.EqualTo(new FakePublicKey("5", Blob("bot identity"), Blob("bot signing"), Blob("bot cross-signature"))));
            Assert.That(x.RejectedRequests, Is.Empty, "every request signed as X expects");
        }

        [Test]
        public async Task Should_be_refused_permanently_registering_another_users_keys()
        {
            var (x, host, client) = await StartAsync();
            await using var _ = x;
            using var __ = host;

            var failure = Assert.ThrowsAsync<XApiException>(async () =>
                await client.RegisterPublicKeyAsync(Person, new XChatNewPublicKey(Blob("a"), Blob("b")), "1", generateVersion: false, Bot, CancellationToken.None));

            Assert.That(failure!.Kind, Is.EqualTo(XFailureKind.Permanent));
            Assert.That(x.PublicKeys.ContainsKey(Person), Is.False);
        }
    }

    public class When_the_bot_reads_a_conversation
    {
        [Test]
        public async Task Should_page_through_its_messages_and_collect_every_key_change_once()
        {
            var (x, host, client) = await StartAsync();
            await using var _ = x;
            using var __ = host;
            x.AddChatKeyChange(Conversation, Person, Blob("key change 1"));
            var messages = Enumerable.Range(1, 5).Select(n => x.AddChatMessage(Conversation, Person, Blob($"message {n}"))).ToList();
            x.AddChatKeyChange(Conversation, Person, Blob("key change 2"));

            var history = await client.GetConversationEventsAsync(Conversation, maxPages: 10, Bot, CancellationToken.None, pageSize: 2);
            var bounded = await client.GetConversationEventsAsync(Conversation, maxPages: 1, Bot, CancellationToken.None, pageSize: 2);
            var metadata = await client.GetConversationAsync(Conversation, Bot, CancellationToken.None);

            Assert.That(history.KeyChangeEvents, Is.EqualTo(new[] { Blob("key change 1"), Blob("key change 2") }));
            Assert.That(history.Messages.Select(m => m.EncodedEvent), Is.EqualTo(messages.Select(m => m.EncodedEvent).Reverse()));
            Assert.That(history.Messages.Select(m => m.SenderId), Is.All.EqualTo(Person));
            Assert.That(history.Complete, Is.True);
            Assert.That(bounded.Messages, Has.Count.EqualTo(2));
            Assert.That(bounded.Complete, Is.False);
            Assert.That(metadata?.Id, Is.EqualTo(Conversation));
        }

        [Test]
        public async Task Should_address_the_conversation_in_its_URL_form_when_given_the_signed_form()
        {
            var (x, host, client) = await StartAsync();
            await using var _ = x;
            using var __ = host;
            x.AddChatMessage(Conversation, Person, Blob("hello"));

            var history = await client.GetConversationEventsAsync(Conversation.Replace('-', ':'), maxPages: 1, Bot, CancellationToken.None);

            Assert.That(history.Messages.Select(m => m.EncodedEvent), Is.EqualTo(new[] { Blob("hello") }));
        }

        [Test]
        public async Task Should_be_refused_permanently_for_a_conversation_X_does_not_know()
        {
            var (x, host, client) = await StartAsync();
            await using var _ = x;
            using var __ = host;

            var failure = Assert.ThrowsAsync<XApiException>(async () => await client.GetConversationAsync("g1900000000000000001", Bot, CancellationToken.None));

            Assert.That(failure!.StatusCode, Is.EqualTo(404));
            Assert.That(failure.Kind, Is.EqualTo(XFailureKind.Permanent));
        }
    }

    public class When_the_bot_sends
    {
        [Test]
        public async Task Should_store_one_message_per_message_id_however_often_it_is_retried()
        {
            var (x, host, client) = await StartAsync();
            await using var _ = x;
            using var __ = host;
            using var botKeys = XChatKeyPair.Generate("1");
            x.RegisterPublicKey(TestCredentials.BotUserId, FakePublicKey.Of(botKeys, TestCredentials.BotUserId));
            using var person = new FakeChatUser(x, Person, TestCredentials.BotUserId);
            person.ChangeKey();
            var sealedMessage = XChatProtocol.SealMessage(botKeys, TestCredentials.BotUserId, person.CurrentKey!, "hello", "a1b2c3");
            var message = new XChatSendMessageRequest("a1b2c3", sealedMessage.EncodedMessageCreateEvent, sealedMessage.EncodedMessageEventSignature);

            var first = await client.SendMessageAsync(Conversation, message, Bot, CancellationToken.None);
            var retry = await client.SendMessageAsync(Conversation, message, Bot, CancellationToken.None);
            await client.SendTypingAsync(Conversation, Bot, CancellationToken.None);

            Assert.That(first, Is.Not.Null.And.EqualTo(retry));
            Assert.That(x.ChatSubmissions.Select(s => (s.ConversationId, s.SenderId, s.MessageId, s.EncodedMessageCreateEvent, s.EncodedMessageEventSignature)),
                Is.EqualTo(new[] { (Conversation, TestCredentials.BotUserId, "a1b2c3", sealedMessage.EncodedMessageCreateEvent, (string?)sealedMessage.EncodedMessageEventSignature) }));
            Assert.That(x.ChatReplies.Select(r => r.Text), Is.EqualTo(new[] { "hello" }));
            Assert.That(x.ChatEvents(Conversation).Count(e => e.MessageId == "a1b2c3"), Is.EqualTo(1));
            Assert.That(x.ChatTyping, Is.EqualTo(new[] { Conversation }));
        }

        [Test]
        public async Task Should_throw_the_networks_own_exception_when_nothing_reached_X()
        {
            var (x, host, client) = await StartAsync();
            await using var _ = x;
            using var __ = host;
            await x.DisposeAsync();

            var unreachable = Assert.CatchAsync<Exception>(async () =>
                await client.SendMessageAsync(Conversation, new XChatSendMessageRequest("m1", Blob("e"), null), Bot, CancellationToken.None));

            // Refused before a byte left: nothing was sent, so the caller may send again (not an unknown outcome).
            Assert.That(unreachable, Is.TypeOf<HttpRequestException>());
        }
    }

    public class When_X_answers_a_send_with_an_error
    {
        [TestCase(503, XFailureKind.Transient, true)]
        [TestCase(429, XFailureKind.RateLimited, false)]
        [TestCase(402, XFailureKind.OutOfCredits, false)]
        [TestCase(403, XFailureKind.Permanent, false)]
        public void Should_classify_it_like_a_DM_send(int status, XFailureKind kind, bool outcomeUnknown)
        {
            var failure = XApiException.FromAnswer(status, "{\"title\":\"refused\",\"detail\":\"refused\"}", new HttpResponseMessage((HttpStatusCode)status).Headers);

            Assert.That(failure.Kind, Is.EqualTo(kind));
            Assert.That(failure.OutcomeUnknown, Is.EqualTo(outcomeUnknown));
        }
    }
}
