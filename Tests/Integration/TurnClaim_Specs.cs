using TwitterBot.Processor.Conversations;
using TwitterBot.Processor.Replies;
using TwitterBot.Tests.Support;

namespace TwitterBot.Tests.Integration;

/// <summary>
/// The PostgreSQL ledger's claim on a turn when its holder dies, and the rows an earlier version wrote (claiming
/// and releasing, for both ledgers, are in <see cref="TurnLedger_Specs.When_a_turn_ledger_stores_turns"/>).
/// </summary>
[Category("Integration")]
public static class TurnClaim_Specs
{
    private const string ConversationKey = "4337869213:3001969357";
    private const string EventId = "1910000000000000001";

    // pg_locks is server-wide: only this spec's database, or a fixture running beside it loses its sessions too
    // (a Processor's schema lock, ended with 57P01, failed its start).
    private static Task<bool> EndSessionsHoldingClaimsAsync(ConversationStores stores) =>
        stores.Database!.ScalarAsync<bool>(
            """
            SELECT bool_or(pg_terminate_backend(pid)) FROM pg_locks
            WHERE locktype = 'advisory' AND pid <> pg_backend_pid()
              AND database = (SELECT oid FROM pg_database WHERE datname = current_database())
            """);

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
            await EndSessionsHoldingClaimsAsync(stores);
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

    /// <summary>PostgreSQL restarted, or crashed, under a running consume: the session holding the claim ends, the process lives on.</summary>
    public class When_the_server_ends_the_session_of_a_claimed_turn
    {
        [Test]
        public async Task Should_fail_every_later_write_as_transient_and_release_without_throwing()
        {
            await using var stores = await ConversationStores.StartAsync(StoreKind.Postgres);
            var held = await stores.Turns.ClaimTurnAsync(Guid.NewGuid(), ConversationKey, EventId, CancellationToken.None);
            await held!.SaveAsync(t => t.Answered(new PlannedAnswer([new PlannedReply("Hi!")], ConversationSignal.None)), CancellationToken.None);

            await EndSessionsHoldingClaimsAsync(stores);

            // The first write meets the ended session; Npgsql closes the connection, and the next write finds it closed
            // (which used to be InvalidOperationException: no retry took it, and the message went to _error).
            Assert.That(async () => await held.SaveAsync(t => t.Sending(0, DateTimeOffset.UtcNow), CancellationToken.None),
                Throws.InstanceOf<Npgsql.NpgsqlException>().With.Property(nameof(Npgsql.NpgsqlException.IsTransient)).True);
            Assert.That(async () => await held.SaveAsync(t => t.Sending(0, DateTimeOffset.UtcNow), CancellationToken.None),
                Throws.InstanceOf<TurnClaimLostException>().With.Property(nameof(Npgsql.NpgsqlException.IsTransient)).True);
            Assert.That(async () => await held.DisposeAsync(), Throws.Nothing, "releasing the claim of a closed session");
        }
    }

    /// <summary>Rows the previous version of the ledger wrote (its state numbers, its JSON), read by this one without a migration.</summary>
    [Category("Integration")]
    public class When_the_ledger_meets_rows_an_earlier_version_wrote
    {
        [Test]
        public async Task Should_read_them_as_the_turns_they_were_and_purge_the_finished_ones()
        {
            await using var stores = await ConversationStores.StartAsync(StoreKind.Postgres);
            var answered = Guid.NewGuid();
            var completed = Guid.NewGuid();
            var began = new ManualTime().GetUtcNow();
            await stores.Database!.ScalarAsync<object>(
                $$"""
                INSERT INTO conversation_turns (message_id, conversation_key, event_id, state, replies, next_reply, reply_in_flight, reply_in_flight_since, created_at)
                VALUES ('{{answered}}', '4337869213:3001969357', '1950000000000000001', 1, '{"replies":[{"text":"Hi!"},{"text":"Bye!"}],"signal":"Ended"}', 1, 1, '{{began:O}}', now() - interval '10 days'),
                       ('{{completed}}', '4337869213:3001969357', '1950000000000000002', 2, '{"replies":[],"signal":"None"}', 0, NULL, NULL, now() - interval '10 days')
                """);

            var purged = await stores.Turns.PurgeTurnsAsync(DateTimeOffset.UtcNow.AddDays(-6), CancellationToken.None);
            await using var claim = await stores.Turns.ClaimTurnAsync(answered, "4337869213:3001969357", "1950000000000000001", CancellationToken.None);

            Assert.Multiple(() =>
            {
                Assert.That(purged, Is.EqualTo(1), "state 2 is Completed");
                Assert.That((claim!.Turn.State, claim.Turn.NextReply, claim.Turn.ReplyInFlight, claim.Turn.ReplyInFlightSince),
                    Is.EqualTo((TurnState.Answered, 1, (int?)1, (DateTimeOffset?)began)));
                Assert.That(claim.Turn.Answer!.Replies.Select(r => r.Text), Is.EqualTo(new[] { "Hi!", "Bye!" }));
                Assert.That(claim.Turn.Answer.Signal, Is.EqualTo(ConversationSignal.Ended));
                Assert.That(() => claim.Turn.Sent(1).Finished(TurnState.Completed, null), Throws.Nothing, "its transitions go on from there");
            });
        }
    }
}
