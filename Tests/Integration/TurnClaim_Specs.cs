using TwitterBot.Processor.Conversations;
using TwitterBot.Processor.Replies;
using TwitterBot.Tests.Support;

namespace TwitterBot.Tests.Integration;

/// <summary>
/// The PostgreSQL ledger's claim on a turn when its holder dies (claiming and releasing, for both ledgers, are
/// in <see cref="When_a_turn_ledger_stores_turns"/>).
/// </summary>
[Category("Integration")]
public class TurnClaim_Specs
{
    private const string ConversationKey = "4337869213:3001969357";
    private const string EventId = "1910000000000000001";

    public class When_the_process_holding_a_claim_dies
    {
        [Test]
        public async Task Should_free_the_turn_with_its_session_and_keep_what_was_recorded()
        {
            await using var stores = await ConversationStores.StartAsync(StoreKind.Postgres);
            var messageId = Guid.NewGuid();
            var held = await stores.Turns.ClaimTurnAsync(messageId, ConversationKey, EventId, CancellationToken.None);
            await held!.SaveAsync(t => t.Answered(new PlannedAnswer([new PlannedReply("Hi!")], ConversationSignal.None)), CancellationToken.None);
            await held.SaveAsync(t => t.Sending(0, DateTimeOffset.UtcNow), CancellationToken.None);

            // What PostgreSQL sees when a Processor is SIGKILLed: the holder's session ends.
            await stores.Database!.ScalarAsync<bool>(
                "SELECT bool_or(pg_terminate_backend(pid)) FROM pg_locks WHERE locktype = 'advisory' AND pid <> pg_backend_pid()");
            await using var taken = await WaitForClaimAsync(stores.Turns, messageId);

            Assert.Multiple(() =>
            {
                Assert.That(taken.Turn.State, Is.EqualTo(TurnState.Answered));
                Assert.That(taken.Turn.ReplyInFlight, Is.Zero, "the restarted consume settles the reply whose outcome was lost");
                Assert.That(async () => await held.DisposeAsync(), Throws.Nothing, "releasing a claim whose session is gone");
            });
        }

        private static async Task<TurnClaim> WaitForClaimAsync(ITurnLedger ledger, Guid messageId)
        {
            using var patience = new CancellationTokenSource(TimeSpan.FromSeconds(30));
            while (true)
            {
                if (await ledger.ClaimTurnAsync(messageId, ConversationKey, EventId, patience.Token) is { } claim)
                {
                    return claim;
                }

                await Task.Delay(TimeSpan.FromMilliseconds(50), patience.Token);
            }
        }
    }
}
