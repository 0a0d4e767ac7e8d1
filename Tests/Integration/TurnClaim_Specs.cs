using Npgsql;
using TwitterBot.Processor.Conversations;
using TwitterBot.Processor.Replies;
using TwitterBot.Tests.Support;

namespace TwitterBot.Tests.Integration;

/// <summary>The PostgreSQL store's claim on a turn, which keeps two copies of one message from both answering.</summary>
[Category("Integration")]
public class TurnClaim_Specs
{
    private const string ConversationKey = "4337869213:3001969357";
    private const string EventId = "1910000000000000001";

    public class When_a_turn_is_claimed
    {
        [Test]
        public async Task Should_refuse_a_second_claim_until_the_first_is_released()
        {
            await using var rig = await StoreRig.StartAsync();
            var messageId = Guid.NewGuid();

            var first = await rig.Store.ClaimTurnAsync(messageId, ConversationKey, EventId, CancellationToken.None);
            var whileHeld = await rig.Store.ClaimTurnAsync(messageId, ConversationKey, EventId, CancellationToken.None);
            await first!.DisposeAsync();
            await using var afterRelease = await rig.Store.ClaimTurnAsync(messageId, ConversationKey, EventId, CancellationToken.None);

            Assert.Multiple(() =>
            {
                Assert.That(first.Turn.State, Is.EqualTo(TurnState.Received));
                Assert.That(whileHeld, Is.Null);
                Assert.That(afterRelease, Is.Not.Null);
            });
        }

        [Test]
        public async Task Should_not_hold_other_turns()
        {
            await using var rig = await StoreRig.StartAsync();

            await using var one = await rig.Store.ClaimTurnAsync(Guid.NewGuid(), ConversationKey, EventId, CancellationToken.None);
            await using var other = await rig.Store.ClaimTurnAsync(Guid.NewGuid(), ConversationKey, "1910000000000000002", CancellationToken.None);

            Assert.That(new[] { one, other }, Is.All.Not.Null);
        }
    }

    public class When_the_process_holding_a_claim_dies
    {
        [Test]
        public async Task Should_free_the_turn_with_its_session_and_keep_what_was_recorded()
        {
            await using var rig = await StoreRig.StartAsync();
            var messageId = Guid.NewGuid();
            var held = await rig.Store.ClaimTurnAsync(messageId, ConversationKey, EventId, CancellationToken.None);
            await rig.Store.SaveAnswerAsync(messageId, new PlannedAnswer([new PlannedReply("Hi!")], ConversationSignal.None), CancellationToken.None);
            await rig.Store.MarkSendingAsync(messageId, 0, DateTimeOffset.UtcNow, CancellationToken.None);

            // What PostgreSQL sees when a Processor is SIGKILLed: the holder's session ends.
            await rig.Database.ScalarAsync<bool>(
                "SELECT bool_or(pg_terminate_backend(pid)) FROM pg_locks WHERE locktype = 'advisory' AND pid <> pg_backend_pid()");
            await using var taken = await WaitForClaimAsync(rig.Store, messageId);

            Assert.Multiple(() =>
            {
                Assert.That(held, Is.Not.Null);
                Assert.That(taken.Turn.State, Is.EqualTo(TurnState.Answered));
                Assert.That(taken.Turn.ReplyInFlight, Is.Zero, "the restarted consume settles the reply whose outcome was lost");
                Assert.That(async () => await held!.DisposeAsync(), Throws.Nothing, "releasing a claim whose session is gone");
            });
        }

        private static async Task<TurnClaim> WaitForClaimAsync(PostgresConversationStore store, Guid messageId)
        {
            using var patience = new CancellationTokenSource(TimeSpan.FromSeconds(30));
            while (true)
            {
                if (await store.ClaimTurnAsync(messageId, ConversationKey, EventId, patience.Token) is { } claim)
                {
                    return claim;
                }

                await Task.Delay(TimeSpan.FromMilliseconds(50), patience.Token);
            }
        }
    }

    private sealed class StoreRig : IAsyncDisposable
    {
        private readonly NpgsqlDataSource _source;

        private StoreRig(PostgresDatabase database, NpgsqlDataSource source)
        {
            Database = database;
            _source = source;
            Store = new PostgresConversationStore(source);
        }

        public PostgresDatabase Database { get; }

        public PostgresConversationStore Store { get; }

        public static async Task<StoreRig> StartAsync()
        {
            var database = await PostgresDatabase.CreateAsync();
            var rig = new StoreRig(database, NpgsqlDataSource.Create(database.ConnectionString));
            await rig.Store.EnsureSchemaAsync(CancellationToken.None);
            return rig;
        }

        public async ValueTask DisposeAsync()
        {
            await _source.DisposeAsync();
            await Database.DisposeAsync();
        }
    }
}
