using System.Security.Cryptography;
using Npgsql;
using TwitterBot.Processor.Conversations;
using TwitterBot.Processor.Options;
using TwitterBot.Processor.XChat;
using TwitterBot.Tests.Support;

namespace TwitterBot.Tests.Integration;

/// <summary>
/// XChat conversation keys on the real PostgreSQL server (the schema created as the Processor creates it), sealed with
/// AES-256-GCM under <c>TwitterBot:XChat:ConversationKeysSecret</c>, and the in-memory store through the same cases.
/// </summary>
public static class XChatConversationKeys_Specs
{
    private const string Bot = "4337869213";
    private const string Person = "3001969357";
    private const string Conversation = "3001969357-4337869213";
    private const long Version = 1_782_945_126_642;

    private static ConversationKeySealer Sealer(byte[] atRest) =>
        new(Microsoft.Extensions.Options.Options.Create(new XChatOptions { Enabled = true, ConversationKeysSecret = Convert.ToBase64String(atRest) }));

    [Category("Integration")]
    [TestFixtureSource(typeof(ConversationStores), nameof(ConversationStores.Kinds))]
    public class When_conversation_keys_are_stored(StoreKind kind)
    {
        private PostgresDatabase? _database;
        private NpgsqlDataSource? _source;
        private IXChatConversationKeys _keys = null!;

        [SetUp]
        public async Task StartAsync()
        {
            if (kind == StoreKind.InMemory)
            {
                _keys = new InMemoryXChatConversationKeys();
                return;
            }

            _database = await PostgresDatabase.CreateAsync();
            _source = NpgsqlDataSource.Create(_database.ConnectionString);
            await new PostgresConversationStorage(_source, Microsoft.Extensions.Options.Options.Create(new ServiceDefaults.RabbitMqOptions())).EnsureSchemaAsync(CancellationToken.None);
            _keys = new PostgresXChatConversationKeys(_source, Sealer(RandomNumberGenerator.GetBytes(32)), TimeProvider.System);
        }

        [TearDown]
        public async Task StopAsync()
        {
            if (_source is not null)
            {
                await _source.DisposeAsync();
            }

            if (_database is not null)
            {
                await _database.DisposeAsync();
            }
        }

        [Test]
        public async Task Should_give_back_each_version_as_it_was_stored()
        {
            var first = RandomNumberGenerator.GetBytes(32);
            var second = RandomNumberGenerator.GetBytes(32);

            var added = new[]
            {
                await _keys.AddAsync(Bot, Conversation, Version, first, CancellationToken.None),
                await _keys.AddAsync(Bot, Conversation, Version + 1, second, CancellationToken.None),
            };

            Assert.That(added, Is.All.EqualTo(ConversationKeyAdded.Added));
            Assert.That(await _keys.FindAsync(Bot, Conversation, Version, CancellationToken.None), Is.EqualTo(first));
            Assert.That(await _keys.FindAsync(Bot, Conversation, Version + 1, CancellationToken.None), Is.EqualTo(second));
            Assert.That(await _keys.FindAsync(Bot, Conversation, Version + 2, CancellationToken.None), Is.Null);
            Assert.That(await _keys.FindAsync("1111111111", Conversation, Version, CancellationToken.None), Is.Null, "another bot's keys are its own");
        }

        [Test]
        public async Task Should_find_a_key_whichever_way_the_one_to_one_id_is_written()
        {
            var key = RandomNumberGenerator.GetBytes(32);

            await _keys.AddAsync(Bot, Conversation, Version, key, CancellationToken.None);

            Assert.That(await _keys.FindAsync(Bot, "3001969357:4337869213", Version, CancellationToken.None), Is.EqualTo(key));
        }

        [Test]
        public async Task Should_answer_the_highest_version_as_current()
        {
            var older = RandomNumberGenerator.GetBytes(32);
            var newer = RandomNumberGenerator.GetBytes(32);
            await _keys.AddAsync(Bot, Conversation, Version + 5, newer, CancellationToken.None);
            await _keys.AddAsync(Bot, Conversation, Version, older, CancellationToken.None);

            var current = await _keys.CurrentAsync(Bot, Conversation, CancellationToken.None);

            Assert.That(current?.Version, Is.EqualTo(Version + 5));
            Assert.That(current?.Key, Is.EqualTo(newer));
            Assert.That(current?.ToString(), Does.Not.Contain(Convert.ToBase64String(newer)));
            Assert.That(await _keys.CurrentAsync(Bot, "g1900000000000000001", CancellationToken.None), Is.Null);
        }

        [Test]
        public async Task Should_keep_the_first_key_of_a_version_and_report_a_different_one()
        {
            var key = RandomNumberGenerator.GetBytes(32);
            await _keys.AddAsync(Bot, Conversation, Version, key, CancellationToken.None);

            var again = await _keys.AddAsync(Bot, Conversation, Version, key.ToArray(), CancellationToken.None);
            var different = await _keys.AddAsync(Bot, Conversation, Version, RandomNumberGenerator.GetBytes(32), CancellationToken.None);

            Assert.That(again, Is.EqualTo(ConversationKeyAdded.AlreadyKnown));
            Assert.That(different, Is.EqualTo(ConversationKeyAdded.Conflicting));
            Assert.That(await _keys.FindAsync(Bot, Conversation, Version, CancellationToken.None), Is.EqualTo(key));
        }

        [Test]
        public async Task Should_store_one_key_when_replicas_add_the_same_version_at_once()
        {
            var key = RandomNumberGenerator.GetBytes(32);
            using var start = new ManualResetEventSlim();

            var adds = Enumerable.Range(0, 8).Select(_ => Task.Run(async () =>
            {
                start.Wait();
                return await _keys.AddAsync(Bot, Conversation, Version, key, CancellationToken.None);
            })).ToList();
            start.Set();
            var outcomes = await Task.WhenAll(adds);

            Assert.That(outcomes.Count(o => o == ConversationKeyAdded.Added), Is.EqualTo(1));
            Assert.That(outcomes.Count(o => o == ConversationKeyAdded.AlreadyKnown), Is.EqualTo(7));
            Assert.That(await _keys.FindAsync(Bot, Conversation, Version, CancellationToken.None), Is.EqualTo(key));
            if (_database is not null)
            {
                Assert.That(await _database.ScalarAsync<long>("SELECT count(*) FROM xchat_conversation_keys"), Is.EqualTo(1));
            }
        }

        [Test]
        public void Should_refuse_a_key_that_is_not_32_bytes() =>
            Assert.That(async () => await _keys.AddAsync(Bot, Conversation, Version, new byte[31], CancellationToken.None), Throws.ArgumentException);
    }

    [Category("Integration")]
    public class When_the_table_is_read_directly
    {
        [Test]
        public async Task Should_hold_neither_the_key_nor_anything_that_decrypts_without_the_at_rest_key()
        {
            await using var database = await PostgresDatabase.CreateAsync();
            await using var source = NpgsqlDataSource.Create(database.ConnectionString);
            await new PostgresConversationStorage(source, Microsoft.Extensions.Options.Options.Create(new ServiceDefaults.RabbitMqOptions())).EnsureSchemaAsync(CancellationToken.None);
            var atRest = RandomNumberGenerator.GetBytes(32);
            var keys = new PostgresXChatConversationKeys(source, Sealer(atRest), TimeProvider.System);
            var key = RandomNumberGenerator.GetBytes(32);

            await keys.AddAsync(Bot, Conversation, Version, key, CancellationToken.None);

            await using var command = source.CreateCommand("SELECT nonce, sealed_key FROM xchat_conversation_keys");
            await using var reader = await command.ExecuteReaderAsync();
            Assert.That(await reader.ReadAsync(), Is.True);
            var nonce = (byte[])reader[0];
            var sealedKey = (byte[])reader[1];
            Assert.That(nonce, Has.Length.EqualTo(12));
            Assert.That(sealedKey, Has.Length.EqualTo(32 + 16));
            Assert.That(sealedKey.AsSpan().IndexOf(key.AsSpan(0, 8)), Is.EqualTo(-1), "no part of the key in the clear");
            Assert.That(sealedKey.AsSpan(0, 32).SequenceEqual(key), Is.False);
        }

        [Test]
        public async Task Should_refuse_a_row_copied_onto_another_conversation()
        {
            await using var database = await PostgresDatabase.CreateAsync();
            await using var source = NpgsqlDataSource.Create(database.ConnectionString);
            await new PostgresConversationStorage(source, Microsoft.Extensions.Options.Options.Create(new ServiceDefaults.RabbitMqOptions())).EnsureSchemaAsync(CancellationToken.None);
            var keys = new PostgresXChatConversationKeys(source, Sealer(RandomNumberGenerator.GetBytes(32)), TimeProvider.System);
            await keys.AddAsync(Bot, Conversation, Version, RandomNumberGenerator.GetBytes(32), CancellationToken.None);

            await using (var copy = source.CreateCommand(
                "INSERT INTO xchat_conversation_keys SELECT bot_user_id, '1111111111:4337869213', key_version, nonce, sealed_key, created_at FROM xchat_conversation_keys"))
            {
                await copy.ExecuteNonQueryAsync();
            }

            Assert.That(async () => await keys.FindAsync(Bot, "1111111111-4337869213", Version, CancellationToken.None), Throws.TypeOf<ConversationKeyUnreadableException>());
        }
    }

    [Category("Integration")]
    public class When_the_at_rest_key_changed
    {
        [Test]
        public async Task Should_fail_cleanly_naming_the_setting_and_never_the_keys()
        {
            await using var database = await PostgresDatabase.CreateAsync();
            await using var source = NpgsqlDataSource.Create(database.ConnectionString);
            await new PostgresConversationStorage(source, Microsoft.Extensions.Options.Options.Create(new ServiceDefaults.RabbitMqOptions())).EnsureSchemaAsync(CancellationToken.None);
            var key = RandomNumberGenerator.GetBytes(32);
            var otherAtRest = RandomNumberGenerator.GetBytes(32);
            await new PostgresXChatConversationKeys(source, Sealer(RandomNumberGenerator.GetBytes(32)), TimeProvider.System)
                .AddAsync(Bot, Conversation, Version, key, CancellationToken.None);
            var reopened = new PostgresXChatConversationKeys(source, Sealer(otherAtRest), TimeProvider.System);

            var failure = Assert.ThrowsAsync<ConversationKeyUnreadableException>(async () => await reopened.FindAsync(Bot, Conversation, Version, CancellationToken.None));
            var current = Assert.ThrowsAsync<ConversationKeyUnreadableException>(async () => await reopened.CurrentAsync(Bot, Conversation, CancellationToken.None));

            Assert.That(failure!.Message, Does.Contain("TwitterBot:XChat:ConversationKeysSecret").And.Contain(Bot).And.Contain(Person));
            Assert.That(failure.Message, Does.Not.Contain(Convert.ToBase64String(key)).And.Not.Contain(Convert.ToBase64String(otherAtRest)));
            Assert.That(current, Is.Not.Null);
        }
    }
}
