using System.Text.Json.Nodes;
using MassTransit.Testing;
using Microsoft.Extensions.DependencyInjection;
using TwitterBot.Contracts;
using TwitterBot.Conventions.Ids;
using TwitterBot.Processor.Conversations.Saga;
using TwitterBot.Processor.Conversations;
using TwitterBot.Processor.Replies;
using TwitterBot.Tests.Support;

namespace TwitterBot.Tests.Processor;

/// <summary>
/// The conversation saga under MassTransit's test harness (in-memory repository), its turn's collaborators as
/// they run in the Processor (a fake gateway and a fake X over HTTP), on a clock the spec moves.
/// </summary>
public static class ConversationStateMachine_Specs
{
    private const string Sender = "3001969357";
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(30);
    private static readonly Guid Conversation = ConversationIds.For(ConversationKeys.For(TestCredentials.BotUserId, Sender));

    private static Task<ProcessorHarness> StartAsync(ManualTime clock) =>
        ProcessorHarness.StartAsync(settings => settings["Gateway:SendStartOnNewSession"] = "true", clock);

    private static async Task<ConversationState> AnsweredAsync(ProcessorHarness processor, int turns)
    {
        await processor.WaitForAnsweredAsync(turns, Patience);
        var saga = processor.Conversations.Sagas.ContainsInState(Conversation, processor.Conversations.StateMachine, processor.Conversations.StateMachine.Active);
        Assert.That(saga, Is.Not.Null, "the conversation is Active");
        return saga!;
    }

    public class When_a_conversation_gets_its_first_DM
    {
        [Test]
        public async Task Should_create_the_saga_and_begin_a_gateway_session_with_START()
        {
            var clock = new ManualTime();
            await using var processor = await StartAsync(clock);

            await processor.PublishAsync("1950000000000000001", "hello");

            var saga = await AnsweredAsync(processor, 1);
            Assert.Multiple(() =>
            {
                Assert.That(processor.Conversations.Created.Select(_ => true).Select(created => created.Saga.CorrelationId), Is.EqualTo(new[] { Conversation }));
                Assert.That(processor.Gateway.AskedTexts, Is.EqualTo(new[] { "START", "hello" }));
                Assert.That((saga.BotUserId, saga.UserId, saga.Suid), Is.EqualTo((TestCredentials.BotUserId, Sender, $"twitter-{TestCredentials.BotUserId}-{Sender}")));
                Assert.That(saga.SessionStartedAt, Is.EqualTo(clock.GetUtcNow()));
                Assert.That(saga.LastActivityAt, Is.EqualTo(clock.GetUtcNow()));
                Assert.That(saga.HandedOverAt, Is.Null);
            });
        }
    }

    public class When_the_next_DM_comes_inside_the_session_timeout
    {
        [Test]
        public async Task Should_continue_the_session_without_START()
        {
            var clock = new ManualTime();
            await using var processor = await StartAsync(clock);
            await processor.PublishAsync("1950000000000000011", "hello");
            var started = (await AnsweredAsync(processor, 1)).SessionStartedAt;

            clock.Advance(TimeSpan.FromMinutes(59));
            await processor.PublishAsync("1950000000000000012", "again");

            var saga = await AnsweredAsync(processor, 2);
            Assert.Multiple(() =>
            {
                Assert.That(processor.Gateway.AskedTexts, Is.EqualTo(new[] { "START", "hello", "again" }));
                Assert.That(saga.SessionStartedAt, Is.EqualTo(started));
                Assert.That(saga.LastActivityAt, Is.EqualTo(clock.GetUtcNow()));
                Assert.That(processor.Conversations.Created.Count(), Is.EqualTo(1), "one saga per conversation");
            });
        }
    }

    public class When_the_next_DM_comes_after_the_session_timeout
    {
        [Test]
        public async Task Should_begin_a_new_session_with_START()
        {
            var clock = new ManualTime();
            await using var processor = await StartAsync(clock);
            await processor.PublishAsync("1950000000000000021", "hello");
            await AnsweredAsync(processor, 1);

            clock.Advance(TimeSpan.FromMinutes(61));
            await processor.PublishAsync("1950000000000000022", "back again");

            var saga = await AnsweredAsync(processor, 2);
            Assert.Multiple(() =>
            {
                Assert.That(processor.Gateway.AskedTexts, Is.EqualTo(new[] { "START", "hello", "START", "back again" }));
                Assert.That(saga.SessionStartedAt, Is.EqualTo(clock.GetUtcNow()));
            });
        }
    }

    public class When_a_conversation_already_had_turns_before_it_had_a_saga
    {
        [Test]
        public async Task Should_continue_the_session_those_turns_began()
        {
            var clock = new ManualTime();
            await using var processor = await StartAsync(clock);
            var ledger = processor.Services.GetRequiredService<ITurnLedger>();
            // A turn answered by a version without the saga, 10 minutes ago: the ledger has it, no saga does.
            await (await ledger.ClaimTurnAsync(Guid.NewGuid(), ConversationKeys.For(TestCredentials.BotUserId, Sender), "1950000000000000040", CancellationToken.None))!.DisposeAsync();
            clock.Advance(TimeSpan.FromMinutes(10));

            await processor.PublishAsync("1950000000000000041", "still there?");

            var saga = await AnsweredAsync(processor, 1);
            Assert.Multiple(() =>
            {
                Assert.That(processor.Gateway.AskedTexts, Is.EqualTo(new[] { "still there?" }), "no START in the middle of a session");
                Assert.That(saga.LastActivityAt, Is.EqualTo(clock.GetUtcNow()));
            });
        }

        [Test]
        public async Task Should_begin_a_new_session_when_those_turns_are_older_than_the_timeout()
        {
            var clock = new ManualTime();
            await using var processor = await StartAsync(clock);
            var ledger = processor.Services.GetRequiredService<ITurnLedger>();
            await (await ledger.ClaimTurnAsync(Guid.NewGuid(), ConversationKeys.For(TestCredentials.BotUserId, Sender), "1950000000000000050", CancellationToken.None))!.DisposeAsync();
            clock.Advance(TimeSpan.FromMinutes(61));

            await processor.PublishAsync("1950000000000000051", "hello again");

            await AnsweredAsync(processor, 1);
            Assert.That(processor.Gateway.AskedTexts, Is.EqualTo(new[] { "START", "hello again" }));
        }
    }

    public class When_the_bot_hands_the_conversation_over
    {
        [Test]
        public async Task Should_record_the_takeover()
        {
            var clock = new ManualTime();
            await using var processor = await ProcessorHarness.StartAsync(time: clock);
            processor.Gateway.Reactions = _ => JsonNode.Parse("""[{"text":"Connecting you to a human","redirect":"agent"}]""")!.AsArray();

            await processor.PublishAsync("1950000000000000031", "I want a human");

            var saga = await AnsweredAsync(processor, 1);
            Assert.Multiple(() =>
            {
                Assert.That(saga.HandedOverAt, Is.EqualTo(clock.GetUtcNow()));
                Assert.That(saga.HandedOverBy, Is.EqualTo(HandOverSource.Gateway));
                Assert.That(saga.HumanUntil, Is.EqualTo(clock.GetUtcNow() + TimeSpan.FromMinutes(30)), "for Processor:Conversations:HumanPause");
                Assert.That(processor.X.AllAccepted().Select(dm => dm.Text), Is.EqualTo(new[] { "Connecting you to a human" }), "still answered");
            });
        }
    }

    public class When_the_bot_offers_quick_replies
    {
        [Test]
        public async Task Should_remember_the_options_of_its_last_reply_until_the_next_answer()
        {
            var clock = new ManualTime();
            await using var processor = await ProcessorHarness.StartAsync(time: clock);
            processor.Gateway.Reactions = text => text == "a drink please"
                ? JsonNode.Parse("""[{"text":"Hi!"},{"text":"Tea or coffee?","quick_replies":["Tea",{"title":"Coffee","payload":"COFFEE"}]}]""")!.AsArray()
                : JsonNode.Parse("""[{"text":"Enjoy"}]""")!.AsArray();

            await processor.PublishAsync("1950000000000000041", "a drink please");
            var offered = (await AnsweredAsync(processor, 1)).OptionsOffered.ToList();
            await processor.PublishAsync("1950000000000000042", "Coffee");
            var afterwards = (await AnsweredAsync(processor, 2)).OptionsOffered;

            Assert.Multiple(() =>
            {
                Assert.That(offered.Select(option => (option.Label, option.Metadata)), Is.EqualTo(new[] { ("Tea", (string?)null), ("Coffee", "COFFEE") }));
                Assert.That(afterwards, Is.Empty, "an answer without options offers none");
            });
        }
    }
}
