using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.Options;
using Npgsql;
using TwitterBot.Conventions.Ids;
using TwitterBot.Processor.Conversations;
using TwitterBot.Processor.Conversations.Saga;
using TwitterBot.Processor.Options;
using TwitterBot.Processor.Replies;
using TwitterBot.ServiceDefaults;
using TwitterBot.Tests.Support;

namespace TwitterBot.Tests.Integration;

/// <summary>
/// The conversation saga's own repository on the real PostgreSQL: one saga per conversation however its first
/// messages race, stale saves refused and retried, nothing lost to a crash between load and save, state shared
/// by replicas and kept across restarts, and idle conversations forgotten.
/// </summary>
[Category("Integration")]
public static class ConversationSagaRepository_Specs
{
    private const string Sender = "3001969357";
    private static readonly Guid Conversation = ConversationIds.For(ConversationKeys.For(TestCredentials.BotUserId, Sender));

    private static async Task<PostgresConversationSagaStore> StoreAsync(NpgsqlDataSource source, TimeProvider time)
    {
        var store = new PostgresConversationSagaStore(source, time);
        await store.EnsureSchemaAsync(CancellationToken.None);
        return store;
    }

    private static ConversationState NewConversation(Guid id, DateTimeOffset? lastActivity = null) => new()
    {
        CorrelationId = id,
        CurrentState = "Active",
        BotUserId = TestCredentials.BotUserId,
        UserId = Sender,
        LastActivityAt = lastActivity,
    };

    public class When_first_messages_of_one_conversation_race
    {
        [Test]
        public async Task Should_create_one_saga_and_save_every_turn_into_it()
        {
            await using var rig = await TurnRig.StartAsync();
            var events = Enumerable.Range(1, 5).Select(i => $"196000000000000000{i}").ToList();

            await Task.WhenAll(events.Select(id => rig.PublishAsync(id, $"message {id}")));

            await rig.WaitForAnsweredAsync(events.Count);
            Assert.Multiple(async () =>
            {
                Assert.That(rig.Consumed.Faulted, Is.Zero);
                Assert.That(await rig.Database.ScalarAsync<long>("SELECT count(*) FROM conversations"), Is.EqualTo(1));
                Assert.That(await rig.Database.ScalarAsync<int>($"SELECT version FROM conversations WHERE correlation_id = '{Conversation}'"),
                    Is.EqualTo(events.Count), "one insert and an update per later turn: none lost to a racing save");
                Assert.That(rig.Gateway.AskedTexts.Order(), Is.EqualTo(events.Select(id => $"message {id}").Order()), "each text asked once");
            });
        }
    }

    public class When_a_conversation_is_saved_with_its_turns_last_write
    {
        [Test]
        public async Task Should_store_both_in_one_round_trip_and_free_the_turn()
        {
            await using var stores = await ConversationStores.StartAsync(StoreKind.Postgres);
            var store = await StoreAsync(stores.Source!, TimeProvider.System);
            var messageId = Guid.NewGuid();
            var claim = await stores.Turns.ClaimTurnAsync(messageId, ConversationKeys.For(TestCredentials.BotUserId, Sender), "1960000000000000101", CancellationToken.None);
            await claim!.SaveAsync(t => t.Answered(new PlannedAnswer([new PlannedReply("Hi!")])).Sending(0, new ManualTime().GetUtcNow()), CancellationToken.None);
            claim.Stage(t => t.Sent(0), new SentReply(TestCredentials.BotUserId, "1970000000000000101", new ManualTime().GetUtcNow()));
            var conversation = NewConversation(Conversation);
            conversation.Suid = "saved with the turn";

            bool saved;
            await using (claim)
            {
                saved = await store.TryWriteFinishingAsync(conversation, insert: true, claim, CancellationToken.None);
            }

            await using var after = await stores.Turns.ClaimTurnAsync(messageId, ConversationKeys.For(TestCredentials.BotUserId, Sender), "1960000000000000101", CancellationToken.None);
            var loaded = await store.LoadAsync(Conversation, CancellationToken.None);
            Assert.Multiple(async () =>
            {
                Assert.That(saved, Is.True);
                Assert.That((loaded?.Suid, loaded?.Version), Is.EqualTo(("saved with the turn", (int?)1)));
                Assert.That(after?.Turn.State, Is.EqualTo(TurnState.Completed), "the turn's last write went with it, and freed the turn");
                Assert.That(await stores.Turns.RecordedSendsAsync(TestCredentials.BotUserId, ["1970000000000000101"], CancellationToken.None), Is.Not.Empty);
            });
        }

        [Test]
        public async Task Should_refuse_a_stale_conversation_but_keep_the_turn_finished()
        {
            await using var stores = await ConversationStores.StartAsync(StoreKind.Postgres);
            var store = await StoreAsync(stores.Source!, TimeProvider.System);
            Assert.That(await store.TryInsertAsync(NewConversation(Conversation), CancellationToken.None), Is.True);
            var stale = (await store.LoadAsync(Conversation, CancellationToken.None))!;
            var other = (await store.LoadAsync(Conversation, CancellationToken.None))!;
            Assert.That(await store.TryUpdateAsync(other, CancellationToken.None), Is.True);
            var messageId = Guid.NewGuid();
            var claim = await stores.Turns.ClaimTurnAsync(messageId, ConversationKeys.For(TestCredentials.BotUserId, Sender), "1960000000000000102", CancellationToken.None);
            await claim!.SaveAsync(t => t.Answered(new PlannedAnswer([new PlannedReply("Hi!")])).Sending(0, new ManualTime().GetUtcNow()), CancellationToken.None);
            claim.Stage(t => t.Sent(0));

            bool saved;
            await using (claim)
            {
                saved = await store.TryWriteFinishingAsync(stale, insert: false, claim, CancellationToken.None);
            }

            await using var after = await stores.Turns.ClaimTurnAsync(messageId, ConversationKeys.For(TestCredentials.BotUserId, Sender), "1960000000000000102", CancellationToken.None);
            Assert.Multiple(() =>
            {
                Assert.That(saved, Is.False, "saved by another consume since it was loaded: retried, and the retry finds the turn over");
                Assert.That(stale.Version, Is.EqualTo(1));
                Assert.That(after?.Turn.State, Is.EqualTo(TurnState.Completed));
            });
        }
    }

    public class When_a_conversation_changed_after_it_was_loaded
    {
        [Test]
        public async Task Should_refuse_the_stale_save_and_take_it_after_a_new_load()
        {
            await using var database = await PostgresDatabase.CreateAsync();
            await using var source = NpgsqlDataSource.Create(database.ConnectionString);
            var store = await StoreAsync(source, TimeProvider.System);
            Assert.That(await store.TryInsertAsync(NewConversation(Conversation), CancellationToken.None), Is.True);
            var first = (await store.LoadAsync(Conversation, CancellationToken.None))!;
            var stale = (await store.LoadAsync(Conversation, CancellationToken.None))!;

            first.Suid = "first";
            Assert.That(await store.TryUpdateAsync(first, CancellationToken.None), Is.True);
            stale.Suid = "stale";
            var refused = await store.TryUpdateAsync(stale, CancellationToken.None);
            var reloaded = (await store.LoadAsync(Conversation, CancellationToken.None))!;
            reloaded.Suid = "retried";
            var retried = await store.TryUpdateAsync(reloaded, CancellationToken.None);

            var saved = (await store.LoadAsync(Conversation, CancellationToken.None))!;
            Assert.Multiple(() =>
            {
                Assert.That(refused, Is.False, "saved over by another consume since it was loaded");
                Assert.That(stale.Version, Is.EqualTo(1), "a refused save leaves the instance at the version it was loaded at");
                Assert.That(retried, Is.True);
                Assert.That((saved.Suid, saved.Version), Is.EqualTo(("retried", 3)));
            });
        }

        [Test]
        public async Task Should_refuse_a_second_insert_of_the_same_conversation()
        {
            await using var database = await PostgresDatabase.CreateAsync();
            await using var source = NpgsqlDataSource.Create(database.ConnectionString);
            var store = await StoreAsync(source, TimeProvider.System);

            var inserts = await Task.WhenAll(Enumerable.Range(0, 8).Select(_ => Task.Run(() => store.TryInsertAsync(NewConversation(Conversation), CancellationToken.None))));

            Assert.Multiple(async () =>
            {
                Assert.That(inserts.Count(inserted => inserted), Is.EqualTo(1));
                Assert.That(await database.ScalarAsync<long>("SELECT count(*) FROM conversations"), Is.EqualTo(1));
            });
        }
    }

    public class When_the_Processor_stops_between_the_turn_and_the_saga_save
    {
        [Test]
        public async Task Should_lose_nothing_and_decide_the_same_when_the_message_comes_again()
        {
            await using var rig = await TurnRig.StartAsync(settings => settings["Gateway:SendStartOnNewSession"] = "true");
            // The conversation's first save fails once, after the turn has asked the gateway and sent its replies.
            await rig.Database.ScalarAsync<int>("""
                CREATE SEQUENCE saves;
                CREATE FUNCTION crash_once() RETURNS trigger LANGUAGE plpgsql AS $$
                BEGIN
                    IF nextval('saves') = 1 THEN RAISE EXCEPTION 'the Processor stopped here (simulated)'; END IF;
                    RETURN NEW;
                END $$;
                CREATE TRIGGER crash_once BEFORE INSERT ON conversations FOR EACH ROW EXECUTE FUNCTION crash_once();
                SELECT 0;
                """);

            await rig.PublishAsync("1960000000000000101", "hello");
            await rig.WaitForFaultedAsync(1);
            var savedAfterCrash = await rig.Database.ScalarAsync<long>("SELECT count(*) FROM conversations");
            await rig.PublishAsync("1960000000000000101", "hello");
            await rig.WaitForAnsweredAsync(1);

            await using var source = NpgsqlDataSource.Create(rig.Database.ConnectionString);
            var saga = await new PostgresConversationSagaStore(source, TimeProvider.System).LoadAsync(Conversation, CancellationToken.None);
            Assert.Multiple(() =>
            {
                Assert.That(savedAfterCrash, Is.Zero, "the crash left no saga behind");
                Assert.That(rig.Gateway.AskedTexts, Is.EqualTo(new[] { "START", "hello" }), "START and the text asked once");
                Assert.That(rig.X.AllAccepted().Select(dm => dm.Text), Is.EqualTo(new[] { "You said: START", "You said: hello" }), "each reply sent once");
                Assert.That(saga?.SessionStartedAt, Is.Not.Null, "the retry decided a new session again");
                Assert.That(saga?.Version, Is.EqualTo(1));
            });
        }
    }

    public class When_a_conversation_is_read_by_another_replica_or_after_a_restart
    {
        [Test]
        public async Task Should_find_it_as_the_other_saved_it()
        {
            await using var database = await PostgresDatabase.CreateAsync();
            await using var one = NpgsqlDataSource.Create(database.ConnectionString);
            await using var other = NpgsqlDataSource.Create(database.ConnectionString);
            var replica = await StoreAsync(one, TimeProvider.System);
            var otherReplica = await StoreAsync(other, TimeProvider.System);
            var conversation = NewConversation(Conversation, new ManualTime().GetUtcNow());
            conversation.OptionsOffered = [new QuickReplyOption("Tea", "Hot", "TEA")];
            await replica.TryInsertAsync(conversation, CancellationToken.None);

            var seen = (await otherReplica.LoadAsync(Conversation, CancellationToken.None))!;
            seen.Suid = "twitter-session";
            await otherReplica.TryUpdateAsync(seen, CancellationToken.None);
            await one.DisposeAsync();
            await using var restarted = NpgsqlDataSource.Create(database.ConnectionString);
            var afterRestart = await (await StoreAsync(restarted, TimeProvider.System)).LoadAsync(Conversation, CancellationToken.None);

            Assert.Multiple(() =>
            {
                Assert.That((seen.BotUserId, seen.UserId, seen.LastActivityAt), Is.EqualTo((conversation.BotUserId, conversation.UserId, conversation.LastActivityAt)));
                Assert.That(seen.OptionsOffered, Is.EqualTo(new[] { new QuickReplyOption("Tea", "Hot", "TEA") }));
                Assert.That((afterRestart?.Suid, afterRestart?.Version, afterRestart?.CurrentState), Is.EqualTo(("twitter-session", 2, "Active")));
            });
        }
    }

    public class When_conversations_have_been_idle
    {
        [Test]
        public async Task Should_forget_only_those_idle_longer_than_the_expiry()
        {
            await using var database = await PostgresDatabase.CreateAsync();
            await using var source = NpgsqlDataSource.Create(database.ConnectionString);
            var clock = new ManualTime();
            var store = await StoreAsync(source, clock);
            var now = clock.GetUtcNow();
            var idle = Guid.NewGuid();
            var recent = Guid.NewGuid();
            var neverAnswered = Guid.NewGuid();
            await store.TryInsertAsync(NewConversation(idle, now - TimeSpan.FromDays(31)), CancellationToken.None);
            await store.TryInsertAsync(NewConversation(recent, now - TimeSpan.FromDays(29)), CancellationToken.None);
            await store.TryInsertAsync(NewConversation(neverAnswered), CancellationToken.None);

            var purged = await store.PurgeIdleAsync(now - TimeSpan.FromDays(30), CancellationToken.None);

            Assert.Multiple(async () =>
            {
                Assert.That(purged, Is.EqualTo(1));
                Assert.That(await store.LoadAsync(idle, CancellationToken.None), Is.Null);
                Assert.That(await store.LoadAsync(recent, CancellationToken.None), Is.Not.Null);
                Assert.That(await store.LoadAsync(neverAnswered, CancellationToken.None), Is.Not.Null, "saved just now, without activity yet");
            });
        }

        [Test]
        public void Should_refuse_an_expiry_shorter_than_a_day_naming_the_key()
        {
            var configuration = new ConfigurationBuilder()
                .AddInMemoryCollection(new Dictionary<string, string?> { ["Processor:Conversations:ExpireAfter"] = "01:00:00" })
                .Build();

            var failure = Assert.Throws<OptionsValidationException>(() =>
                configuration.GetValidated<ConversationOptions, ConversationOptionsValidator>(ConversationOptions.Section));

            Assert.That(failure!.Message, Does.Contain("Processor:Conversations:ExpireAfter must be at least 1.00:00:00"));
        }
    }
}
