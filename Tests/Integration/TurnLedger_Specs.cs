using TwitterBot.Processor.Conversations;
using TwitterBot.Processor.Replies;
using TwitterBot.Tests.Support;

namespace TwitterBot.Tests.Integration;

public static class TurnLedger_Specs
{
    /// <summary>
    /// Both turn ledgers (PostgreSQL on the real server, and memory) through the same cases: what a transition
    /// stored is what the next claim gets back, whole.
    /// </summary>
    [Category("Integration")]
    [TestFixtureSource(typeof(ConversationStores), nameof(ConversationStores.Kinds))]
    public class When_a_turn_ledger_stores_turns(StoreKind kind)
    {
        private const string ConversationKey = "4337869213:3001969357";
        private const string Bot = "4337869213";
        private static readonly DateTimeOffset Began = new ManualTime().GetUtcNow().AddMilliseconds(123);

        private ConversationStores _stores = null!;

        private ITurnLedger Ledger => _stores.Turns;

        [SetUp]
        public async Task StartAsync() => _stores = await ConversationStores.StartAsync(kind);

        [TearDown]
        public async Task StopAsync() => await _stores.DisposeAsync();

        [Test]
        public async Task Should_record_a_new_turn_as_received()
        {
            var messageId = Guid.NewGuid();

            await using var claim = await Ledger.ClaimTurnAsync(messageId, ConversationKey, "1930000000000000001", CancellationToken.None);

            Assert.That(claim!.Turn, Is.EqualTo(TurnRecord.Received(messageId)));
        }

        [Test]
        public async Task Should_refuse_a_second_claim_until_the_first_is_released()
        {
            var messageId = Guid.NewGuid();

            var first = await Ledger.ClaimTurnAsync(messageId, ConversationKey, "1930000000000000002", CancellationToken.None);
            var whileHeld = await Ledger.ClaimTurnAsync(messageId, ConversationKey, "1930000000000000002", CancellationToken.None);
            await first!.DisposeAsync();
            await using var afterRelease = await Ledger.ClaimTurnAsync(messageId, ConversationKey, "1930000000000000002", CancellationToken.None);
            await using var other = await Ledger.ClaimTurnAsync(Guid.NewGuid(), ConversationKey, "1930000000000000003", CancellationToken.None);

            Assert.Multiple(() =>
            {
                Assert.That(whileHeld, Is.Null);
                Assert.That(afterRelease, Is.Not.Null);
                Assert.That(other, Is.Not.Null, "a claim holds its own turn only");
            });
        }

        private static IEnumerable<TestCaseData> Steps()
        {
            var answer = new PlannedAnswer([new PlannedReply("Hi!", [new QuickReplyOption("Menu", "The menu", "menu")]), new PlannedReply("Bye!", MediaUrl: "https://example.com/a.png")], ConversationSignal.Ended);
            var welcome = new PlannedAnswer([new PlannedReply("Welcome!")]);
            Func<TurnRecord, TurnRecord> welcomed = t => t.Welcomed(welcome), answered = t => t.Answered(answer);
            Func<TurnRecord, TurnRecord> sending0 = t => t.Sending(0, Began), sent0 = t => t.Sent(0), sending1 = t => t.Sending(1, Began), sent1 = t => t.Sent(1);
            yield return Case("welcomed", welcomed);
            yield return Case("session continues", t => t.Welcomed(new PlannedAnswer([])));
            yield return Case("answered", welcomed, answered);
            yield return Case("sending", answered, sending0);
            yield return Case("not sent", answered, sending0, t => t.NotSent(0));
            yield return Case("sent", answered, sending0, sent0, sending1);
            yield return Case("last sent, signal due", answered, sending0, sent0, sending1, sent1);
            yield return Case("completed", answered, sending0, sent0, sending1, sent1, t => t.Finished(TurnState.Completed, null));
            yield return Case("rejected", answered, sending0, t => t.Finished(TurnState.Rejected, "X refused it for good"));

            static TestCaseData Case(string name, params Func<TurnRecord, TurnRecord>[] steps) => new TestCaseData((object)steps).SetArgDisplayNames(name);
        }

        [TestCaseSource(nameof(Steps))]
        public async Task Should_give_back_the_whole_record_its_transitions_left(Func<TurnRecord, TurnRecord>[] steps)
        {
            var messageId = Guid.NewGuid();
            TurnRecord expected;
            await using (var claim = await Ledger.ClaimTurnAsync(messageId, ConversationKey, "1930000000000000010", CancellationToken.None))
            {
                // Each transition stored as the turn takes it, the way ConversationTurn does.
                foreach (var step in steps)
                {
                    await claim!.SaveAsync(step, CancellationToken.None);
                }

                expected = claim!.Turn;
            }

            await using var again = await Ledger.ClaimTurnAsync(messageId, ConversationKey, "1930000000000000010", CancellationToken.None);

            Assert.That(Describe(again!.Turn), Is.EqualTo(Describe(expected)));
            Assert.That(Describe(expected), Is.Not.EqualTo(Describe(TurnRecord.Received(messageId))), "the steps changed the turn");
        }

        [Test]
        public async Task Should_record_the_dm_of_a_sent_reply_with_the_turn()
        {
            var messageId = Guid.NewGuid();
            await using var claim = await Ledger.ClaimTurnAsync(messageId, ConversationKey, "1930000000000000020", CancellationToken.None);
            await claim!.SaveAsync(t => t.Answered(new PlannedAnswer([new PlannedReply("Hi!"), new PlannedReply("Bye!")])).Sending(0, Began), CancellationToken.None);

            await claim.SaveAsync(t => t.Sent(0), new SentReply(Bot, "1940000000000000001", Began), CancellationToken.None);
            await claim.SaveAsync(t => t.Sending(1, Began), CancellationToken.None);
            await claim.SaveAsync(t => t.Sent(1), null, CancellationToken.None);

            Assert.Multiple(async () =>
            {
                Assert.That(await Ledger.RecordedSendsAsync(Bot, ["1940000000000000001", "1940000000000000002"], CancellationToken.None),
                    Is.EquivalentTo(new[] { "1940000000000000001" }));
                Assert.That(await Ledger.RecordedSendsAsync("999", ["1940000000000000001"], CancellationToken.None), Is.Empty, "another bot's DMs");
                Assert.That(claim.Turn.State, Is.EqualTo(TurnState.Completed));
            });
        }

        [Test]
        public async Task Should_store_a_staged_transition_with_the_next_one_or_when_flushed()
        {
            var withNext = Guid.NewGuid();
            var flushed = Guid.NewGuid();
            var dropped = Guid.NewGuid();
            var answer = new PlannedAnswer([new PlannedReply("Hi!")]);
            await using (var claim = await Ledger.ClaimTurnAsync(withNext, ConversationKey, "1930000000000000025", CancellationToken.None))
            {
                claim!.Stage(t => t.Answered(answer));
                Assert.That(claim.HasStaged, Is.True);
                await claim.SaveAsync(t => t.Sending(0, Began), CancellationToken.None);
                Assert.That(claim.HasStaged, Is.False);
            }

            await using (var claim = await Ledger.ClaimTurnAsync(flushed, ConversationKey, "1930000000000000026", CancellationToken.None))
            {
                claim!.Stage(t => t.Answered(answer));
                await claim.FlushAsync(CancellationToken.None);
            }

            await using (var claim = await Ledger.ClaimTurnAsync(dropped, ConversationKey, "1930000000000000027", CancellationToken.None))
            {
                claim!.Stage(t => t.Answered(answer));
            }

            await using var first = await Ledger.ClaimTurnAsync(withNext, ConversationKey, "1930000000000000025", CancellationToken.None);
            await using var second = await Ledger.ClaimTurnAsync(flushed, ConversationKey, "1930000000000000026", CancellationToken.None);
            await using var third = await Ledger.ClaimTurnAsync(dropped, ConversationKey, "1930000000000000027", CancellationToken.None);
            Assert.Multiple(() =>
            {
                Assert.That((first!.Turn.State, first.Turn.ReplyInFlight, Render(first.Turn.Answer)), Is.EqualTo((TurnState.Answered, (int?)0, Render(answer))));
                Assert.That((second!.Turn.State, second.Turn.ReplyInFlight, Render(second.Turn.Answer)), Is.EqualTo((TurnState.Answered, (int?)null, Render(answer))));
                Assert.That(third!.Turn, Is.EqualTo(TurnRecord.Received(dropped)), "a staged transition never stored is not kept");
            });
        }

        [Test]
        public async Task Should_free_a_finished_turn_with_its_last_write_and_not_a_later_claim_when_let_go()
        {
            var messageId = Guid.NewGuid();
            var first = await Ledger.ClaimTurnAsync(messageId, ConversationKey, "1930000000000000028", CancellationToken.None);
            await first!.SaveAsync(t => t.Answered(new PlannedAnswer([new PlannedReply("Hi!")])).Sending(0, Began), CancellationToken.None);
            var whileOpen = await Ledger.ClaimTurnAsync(messageId, ConversationKey, "1930000000000000028", CancellationToken.None);
            await first.SaveAsync(t => t.Sent(0), CancellationToken.None);

            await using var second = await Ledger.ClaimTurnAsync(messageId, ConversationKey, "1930000000000000028", CancellationToken.None);
            await first.DisposeAsync();
            var third = await Ledger.ClaimTurnAsync(messageId, ConversationKey, "1930000000000000028", CancellationToken.None);

            Assert.Multiple(() =>
            {
                Assert.That(whileOpen, Is.Null, "an open turn stays held");
                Assert.That(second?.Turn.State, Is.EqualTo(TurnState.Completed), "the finishing write freed it");
                Assert.That(third, Is.Null, "the first holder letting go did not free the second's claim");
            });
        }

        [Test]
        public async Task Should_hold_a_turn_whose_last_write_waits_and_store_it_with_its_dm_when_the_consume_ends()
        {
            var messageId = Guid.NewGuid();
            var finishing = new TurnFinishing();
            var claim = await Ledger.ClaimTurnAsync(messageId, ConversationKey, "1930000000000000029", CancellationToken.None);
            await claim!.SaveAsync(t => t.Answered(new PlannedAnswer([new PlannedReply("Hi!")])).Sending(0, Began), CancellationToken.None);
            claim.Stage(t => t.Sent(0), new SentReply(Bot, "1940000000000000029", Began));
            finishing.Hold(claim);

            var whileHeld = await Ledger.ClaimTurnAsync(messageId, ConversationKey, "1930000000000000029", CancellationToken.None);
            await finishing.DisposeAsync();
            await using var after = await Ledger.ClaimTurnAsync(messageId, ConversationKey, "1930000000000000029", CancellationToken.None);

            Assert.Multiple(async () =>
            {
                Assert.That(whileHeld, Is.Null, "held until the consume ends");
                Assert.That(after?.Turn.State, Is.EqualTo(TurnState.Completed));
                Assert.That(after?.Turn.ReplyInFlight, Is.Null);
                Assert.That(await Ledger.RecordedSendsAsync(Bot, ["1940000000000000029"], CancellationToken.None), Is.EquivalentTo(new[] { "1940000000000000029" }));
                Assert.That(finishing.Take(), Is.Null, "nothing held any more");
            });
        }

        [Test]
        public async Task Should_not_store_a_transition_the_turn_refuses()
        {
            var messageId = Guid.NewGuid();
            await using (var claim = await Ledger.ClaimTurnAsync(messageId, ConversationKey, "1930000000000000030", CancellationToken.None))
            {
                Assert.That(() => claim!.SaveAsync(t => t.Sending(0, Began), CancellationToken.None), Throws.InvalidOperationException);
                Assert.That(claim!.Turn, Is.EqualTo(TurnRecord.Received(messageId)));
            }

            await using var again = await Ledger.ClaimTurnAsync(messageId, ConversationKey, "1930000000000000030", CancellationToken.None);
            Assert.That(again!.Turn, Is.EqualTo(TurnRecord.Received(messageId)));
        }

        [Test]
        public async Task Should_tell_when_the_conversations_other_latest_turn_began()
        {
            var first = Guid.NewGuid();
            var second = Guid.NewGuid();
            var before = DateTimeOffset.UtcNow.AddMinutes(-1);

            var none = await Ledger.LastTurnStartedAsync(ConversationKey, first, CancellationToken.None);
            await (await Ledger.ClaimTurnAsync(first, ConversationKey, "1930000000000000040", CancellationToken.None))!.DisposeAsync();
            await (await Ledger.ClaimTurnAsync(second, ConversationKey, "1930000000000000041", CancellationToken.None))!.DisposeAsync();

            Assert.Multiple(async () =>
            {
                Assert.That(none, Is.Null);
                Assert.That(await Ledger.LastTurnStartedAsync(ConversationKey, second, CancellationToken.None), Is.GreaterThan(before));
                Assert.That(await Ledger.LastTurnStartedAsync("4337869213:1", second, CancellationToken.None), Is.Null, "another conversation");
            });
        }

        [Test]
        public async Task Should_purge_old_finished_turns_and_sends_only()
        {
            var finished = Guid.NewGuid();
            var open = Guid.NewGuid();
            await using (var claim = await Ledger.ClaimTurnAsync(finished, ConversationKey, "1930000000000000050", CancellationToken.None))
            {
                await claim!.SaveAsync(t => t.Answered(new PlannedAnswer([new PlannedReply("Hi!")])).Sending(0, Began), CancellationToken.None);
                await claim.SaveAsync(t => t.Sent(0), new SentReply(Bot, "1940000000000000050", DateTimeOffset.UtcNow.AddMinutes(-1)), CancellationToken.None);
            }

            await using (var claim = await Ledger.ClaimTurnAsync(open, ConversationKey, "1930000000000000051", CancellationToken.None))
            {
                await claim!.SaveAsync(t => t.Answered(new PlannedAnswer([new PlannedReply("Hi!")])), CancellationToken.None);
            }

            var kept = await Ledger.PurgeTurnsAsync(DateTimeOffset.UtcNow.AddMinutes(-5), CancellationToken.None);
            var purged = await Ledger.PurgeTurnsAsync(DateTimeOffset.UtcNow.AddMinutes(5), CancellationToken.None);

            await using var reopened = await Ledger.ClaimTurnAsync(open, ConversationKey, "1930000000000000051", CancellationToken.None);
            await using var renewed = await Ledger.ClaimTurnAsync(finished, ConversationKey, "1930000000000000050", CancellationToken.None);
            Assert.Multiple(async () =>
            {
                Assert.That((kept, purged), Is.EqualTo((0, 1)));
                Assert.That(reopened!.Turn.State, Is.EqualTo(TurnState.Answered), "an open turn is kept however old");
                Assert.That(renewed!.Turn, Is.EqualTo(TurnRecord.Received(finished)), "the finished turn was forgotten");
                Assert.That(await Ledger.RecordedSendsAsync(Bot, ["1940000000000000050"], CancellationToken.None), Is.Empty);
            });
        }

        private static string Describe(TurnRecord turn) =>
            $"{turn.State} next={turn.NextReply} inFlight={turn.ReplyInFlight} since={turn.ReplyInFlightSince:O} outcome={turn.Outcome} " +
            $"answer={Render(turn.Answer)} welcome={Render(turn.Welcome)}";

        private static string Render(PlannedAnswer? answer) => answer is null
            ? "none"
            : $"{answer.Signal}:[{string.Join("|", answer.Replies.Select(r => $"{r.Text};{r.MediaUrl};{string.Join(",", (r.QuickReplies ?? []).Select(o => $"{o.Label}/{o.Description}/{o.Metadata}"))}"))}]";
    }
}
