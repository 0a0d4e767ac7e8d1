using System.Text.Json.Nodes;
using MassTransit;
using MassTransit.Testing;
using Microsoft.Extensions.DependencyInjection;
using TwitterBot.Contracts;
using TwitterBot.Conventions.Ids;
using TwitterBot.Processor.Conversations;
using TwitterBot.Processor.Conversations.Saga;
using TwitterBot.Processor.Replies;
using TwitterBot.Tests.Support;

namespace TwitterBot.Tests.Processor;

/// <summary>
/// The human in the loop under MassTransit's test harness: the account's echoes (the bot's own sends, a person's
/// at the brand in the X app), the pause they begin, what the user's DMs do meanwhile, and the bot's return; on a
/// clock the spec moves.
/// </summary>
public static class HumanHandOver_Specs
{
    private const string Sender = "3001969357";
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(30);
    private static readonly Guid Conversation = ConversationIds.For(ConversationKeys.For(TestCredentials.BotUserId, Sender));

    private static Task<ProcessorHarness> StartAsync(ManualTime clock, string humanPause = "00:30:00") =>
        ProcessorHarness.StartAsync(settings =>
        {
            settings["Gateway:SendStartOnNewSession"] = "true";
            settings["Processor:Conversations:HumanPause"] = humanPause;
        }, clock);

    /// <summary>Publishes the account's DM to the user as the Ingress does, and waits until the saga consumed it.</summary>
    private static async Task EchoAsync(ProcessorHarness processor, string directMessageId, DateTimeOffset sentAt)
    {
        var echo = new DirectMessageSentByAccount
        {
            EventId = directMessageId,
            DirectMessageId = directMessageId,
            BotUserId = TestCredentials.BotUserId,
            BotId = TestCredentials.BotId,
            UserId = Sender,
            CreatedAt = sentAt,
        };
        await processor.Harness.Bus.Publish(echo, context => context.MessageId = MessageIds.For(TestCredentials.BotUserId, directMessageId));
        // Polled rather than the harness's Any, which gives up once the bus has been idle a moment: a loaded machine can start the consume later.
        using var patience = new CancellationTokenSource(Patience);
        while (!processor.Conversations.Consumed.Select<DirectMessageSentByAccount>(m => m.Context.Message.EventId == directMessageId).Any())
        {
            await Task.Delay(TimeSpan.FromMilliseconds(20), patience.Token);
        }
    }

    private static ConversationState Saga(ProcessorHarness processor) =>
        processor.Conversations.Sagas.ContainsInState(Conversation, processor.Conversations.StateMachine, processor.Conversations.StateMachine.Active)
            ?? throw new AssertionException("the conversation is Active");

    private static async Task<TurnRecord> TurnOfAsync(ProcessorHarness processor, Guid messageId)
    {
        await using var claim = await processor.Services.GetRequiredService<ITurnLedger>()
            .ClaimTurnAsync(messageId, ConversationKeys.For(TestCredentials.BotUserId, Sender), "-", CancellationToken.None);
        return claim!.Turn;
    }

    public class When_a_person_at_the_brand_answers_from_the_X_app
    {
        [Test]
        public async Task Should_hand_the_conversation_to_them_and_say_so()
        {
            var clock = new ManualTime();
            await using var processor = await StartAsync(clock);
            await processor.PublishAsync("1960000000000000001", "hello");
            await processor.WaitForAnsweredAsync(1, Patience);

            clock.Advance(TimeSpan.FromMinutes(1));
            await EchoAsync(processor, "1969000000000000001", clock.GetUtcNow());

            var saga = Saga(processor);
            var published = processor.Harness.Published.Select<ConversationHandedOver>().Select(p => p.Context.Message).ToList();
            Assert.Multiple(() =>
            {
                Assert.That((saga.HandedOverBy, saga.HandedOverAt, saga.HumanUntil),
                    Is.EqualTo(((HandOverSource?)HandOverSource.XApp, (DateTimeOffset?)clock.GetUtcNow(), (DateTimeOffset?)(clock.GetUtcNow() + TimeSpan.FromMinutes(30)))));
                Assert.That(published, Is.EqualTo(new[]
                {
                    new ConversationHandedOver
                    {
                        BotUserId = TestCredentials.BotUserId,
                        BotId = TestCredentials.BotId,
                        UserId = Sender,
                        EventId = "1969000000000000001",
                        Source = HandOverSource.XApp,
                        HumanUntil = clock.GetUtcNow() + TimeSpan.FromMinutes(30),
                    },
                }));
            });
        }

        [Test]
        public async Task Should_record_the_users_DMs_meanwhile_without_asking_the_gateway_or_answering()
        {
            var clock = new ManualTime();
            await using var processor = await StartAsync(clock);
            await processor.PublishAsync("1960000000000000011", "hello");
            await processor.WaitForAnsweredAsync(1, Patience);
            await EchoAsync(processor, "1969000000000000011", clock.GetUtcNow());

            clock.Advance(TimeSpan.FromMinutes(10));
            var during = await processor.PublishAsync("1960000000000000012", "thanks, human");
            await processor.WaitForAnsweredAsync(2, Patience);

            var turn = await TurnOfAsync(processor, during);
            Assert.Multiple(() =>
            {
                Assert.That(processor.Gateway.AskedTexts, Is.EqualTo(new[] { "START", "hello" }), "the gateway is not asked while the human holds it");
                Assert.That(processor.X.Attempts.Select(dm => dm.Text), Is.EqualTo(new[] { "You said: START", "You said: hello" }), "no reply");
                Assert.That((turn.State, turn.Answer?.Replies.Count), Is.EqualTo((TurnState.Completed, (int?)0)), "recorded as answered with nothing, never answered later");
            });
        }

        [Test]
        public async Task Should_extend_the_pause_with_each_of_their_DMs_and_resume_after_it_with_a_new_session()
        {
            var clock = new ManualTime();
            await using var processor = await StartAsync(clock);
            await processor.PublishAsync("1960000000000000021", "hello");
            await processor.WaitForAnsweredAsync(1, Patience);
            var firstHuman = clock.GetUtcNow();
            await EchoAsync(processor, "1969000000000000021", firstHuman);

            clock.Advance(TimeSpan.FromMinutes(20));
            await EchoAsync(processor, "1969000000000000022", clock.GetUtcNow());
            var until = Saga(processor).HumanUntil;

            clock.Advance(TimeSpan.FromMinutes(20)); // 40 minutes after the first human DM: past its pause, within the second's
            await processor.PublishAsync("1960000000000000022", "are you still there?");
            await processor.WaitForAnsweredAsync(2, Patience);
            var heldAsked = processor.Gateway.AskedTexts.ToList();

            clock.Advance(TimeSpan.FromMinutes(11)); // past the second's
            await processor.PublishAsync("1960000000000000023", "bot?");
            await processor.WaitForAnsweredAsync(3, Patience);

            var saga = Saga(processor);
            Assert.Multiple(() =>
            {
                Assert.That(until, Is.EqualTo(firstHuman + TimeSpan.FromMinutes(50)));
                Assert.That(heldAsked, Is.EqualTo(new[] { "START", "hello" }), "still held 40 minutes in");
                Assert.That(processor.Gateway.AskedTexts, Is.EqualTo(new[] { "START", "hello", "START", "bot?" }), "resumed with a new gateway session");
                Assert.That(processor.X.Attempts.Select(dm => dm.Text).TakeLast(2), Is.EqualTo(new[] { "You said: START", "You said: bot?" }));
                Assert.That(saga.SessionStartedAt, Is.EqualTo(clock.GetUtcNow()));
                Assert.That(processor.Harness.Published.Select<ConversationHandedOver>().Count(), Is.EqualTo(1), "one hand-over, extended, not two");
            });
        }

        [Test]
        public async Task Should_take_over_a_conversation_the_bot_never_had()
        {
            var clock = new ManualTime();
            await using var processor = await StartAsync(clock);

            await EchoAsync(processor, "1969000000000000031", clock.GetUtcNow());
            clock.Advance(TimeSpan.FromMinutes(5));
            await processor.PublishAsync("1960000000000000031", "hi, brand person");
            await processor.WaitForAnsweredAsync(1, Patience);

            Assert.Multiple(() =>
            {
                Assert.That(Saga(processor).HandedOverBy, Is.EqualTo(HandOverSource.XApp));
                Assert.That(processor.Gateway.AskedTexts, Is.Empty);
                Assert.That(processor.X.Attempts, Is.Empty);
            });
        }

        [Test]
        public async Task Should_change_nothing_when_their_DM_is_older_than_the_pause()
        {
            var clock = new ManualTime();
            await using var processor = await StartAsync(clock);
            await processor.PublishAsync("1960000000000000041", "hello");
            await processor.WaitForAnsweredAsync(1, Patience);

            await EchoAsync(processor, "1969000000000000041", clock.GetUtcNow() - TimeSpan.FromHours(2)); // delivered late (a replay)

            Assert.Multiple(() =>
            {
                Assert.That(Saga(processor).HandedOverBy, Is.Null);
                Assert.That(processor.Harness.Published.Select<ConversationHandedOver>(), Is.Empty);
            });
        }
    }

    public class When_X_echoes_the_bots_own_DM
    {
        [Test]
        public async Task Should_never_pause_the_bot()
        {
            var clock = new ManualTime();
            await using var processor = await StartAsync(clock);
            await processor.PublishAsync("1960000000000000101", "hello");
            await processor.WaitForAnsweredAsync(1, Patience);

            foreach (var own in processor.X.AcceptedIds)
            {
                await EchoAsync(processor, own, clock.GetUtcNow());
            }

            await processor.PublishAsync("1960000000000000102", "and again");
            await processor.WaitForAnsweredAsync(2, Patience);

            Assert.Multiple(() =>
            {
                Assert.That(processor.X.AcceptedIds, Has.Count.EqualTo(3), "START, hello, and again: the bot's own echoes did not stop it");
                Assert.That(Saga(processor).HandedOverBy, Is.Null);
                Assert.That(processor.Harness.Published.Select<ConversationHandedOver>(), Is.Empty);
            });
        }

        [Test]
        public async Task Should_take_one_it_cannot_find_yet_for_its_own_while_a_send_of_the_conversation_is_in_flight()
        {
            var clock = new ManualTime();
            await using var processor = await StartAsync(clock);
            var ledger = processor.Services.GetRequiredService<ITurnLedger>();
            // A turn whose reply went to X, with X's id not recorded yet (the send's outcome is still open).
            await using (var claim = await ledger.ClaimTurnAsync(Guid.NewGuid(), ConversationKeys.For(TestCredentials.BotUserId, Sender), "1960000000000000110", CancellationToken.None))
            {
                await claim!.SaveAsync(t => t.Answered(new PlannedAnswer([new PlannedReply("on its way")])), CancellationToken.None);
                await claim.SaveAsync(t => t.Sending(0, clock.GetUtcNow()), CancellationToken.None);
            }

            await EchoAsync(processor, "1969000000000000111", clock.GetUtcNow());

            Assert.Multiple(() =>
            {
                Assert.That(Saga(processor).HandedOverBy, Is.Null);
                Assert.That(processor.Harness.Published.Select<ConversationHandedOver>(), Is.Empty);
            });
        }
    }

    public class When_the_human_pause_is_off
    {
        [Test]
        public async Task Should_keep_answering_after_a_person_at_the_brand_wrote()
        {
            var clock = new ManualTime();
            await using var processor = await StartAsync(clock, humanPause: "00:00:00");
            await processor.PublishAsync("1960000000000000201", "hello");
            await processor.WaitForAnsweredAsync(1, Patience);

            await EchoAsync(processor, "1969000000000000201", clock.GetUtcNow());
            await processor.PublishAsync("1960000000000000202", "still the bot?");
            await processor.WaitForAnsweredAsync(2, Patience);

            Assert.Multiple(() =>
            {
                Assert.That(processor.Gateway.AskedTexts, Is.EqualTo(new[] { "START", "hello", "still the bot?" }));
                Assert.That(Saga(processor).HandedOverBy, Is.Null);
                Assert.That(processor.Harness.Published.Select<ConversationHandedOver>(), Is.Empty);
            });
        }
    }

    public class When_the_gateway_hands_the_conversation_over
    {
        [Test]
        public async Task Should_record_it_and_keep_asking_the_gateway()
        {
            var clock = new ManualTime();
            await using var processor = await StartAsync(clock);
            processor.Gateway.Reactions = text => text == "a human please"
                ? JsonNode.Parse("""[{"text":"Connecting you to a human","redirect":"agent"}]""")!.AsArray()
                : JsonNode.Parse("""[{"text":"The agent says hi"}]""")!.AsArray();
            await processor.PublishAsync("1960000000000000301", "a human please");
            await processor.WaitForAnsweredAsync(1, Patience);
            var handedOverAt = clock.GetUtcNow();

            clock.Advance(TimeSpan.FromMinutes(1));
            await processor.PublishAsync("1960000000000000302", "hi agent");
            await processor.WaitForAnsweredAsync(2, Patience);

            var saga = Saga(processor);
            Assert.Multiple(() =>
            {
                Assert.That((saga.HandedOverBy, saga.HandedOverAt, saga.HumanUntil),
                    Is.EqualTo(((HandOverSource?)HandOverSource.Gateway, (DateTimeOffset?)handedOverAt, (DateTimeOffset?)(handedOverAt + TimeSpan.FromMinutes(30)))));
                Assert.That(processor.Gateway.AskedTexts, Does.Contain("hi agent"), "the gateway relays to its agent");
                Assert.That(processor.Harness.Published.Select<ConversationHandedOver>().Single().Context.Message.Source, Is.EqualTo(HandOverSource.Gateway));
            });
        }
    }
}
