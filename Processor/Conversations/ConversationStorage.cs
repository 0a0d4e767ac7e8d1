using Microsoft.Extensions.Options;
using Npgsql;
using TwitterBot.ServiceDefaults;

namespace TwitterBot.Processor.Conversations;

/// <summary>
/// Where the ledger and the throttles keep their data, as <c>Processor:Store:Kind</c> chose at composition:
/// what it needs before the bus consumes, and whether it answers.
/// </summary>
public interface IConversationStorage
{
    /// <summary>Run before the bus starts consuming.</summary>
    Task PrepareAsync(CancellationToken cancellationToken);

    /// <summary>Run once prepared, beside the bus's start rather than before it: what only saves the first DMs time.</summary>
    Task WarmUpAsync(CancellationToken cancellationToken);

    /// <summary>Throws when the storage does not answer.</summary>
    Task PingAsync(CancellationToken cancellationToken);
}

/// <summary>PostgreSQL: creates the tables when missing and opens the sessions the first DMs would otherwise wait for.</summary>
public sealed class PostgresConversationStorage(NpgsqlDataSource database, IOptions<RabbitMqOptions> broker) : IConversationStorage
{
    public Task PrepareAsync(CancellationToken cancellationToken) => EnsureSchemaAsync(cancellationToken);

    /// <summary>Creates the tables when missing; safe when several replicas start at once.</summary>
    public async Task EnsureSchemaAsync(CancellationToken cancellationToken)
    {
        await using var connection = await database.OpenConnectionAsync(cancellationToken);
        await using var transaction = await connection.BeginTransactionAsync(cancellationToken);
        // conversation_turns.state holds TurnState's numbers (smallint), as it always has.
        await using var command = new NpgsqlCommand(
            """
            SELECT pg_advisory_xact_lock(hashtext('twitterbot-schema'));
            CREATE TABLE IF NOT EXISTS conversation_turns (
                message_id uuid PRIMARY KEY,
                conversation_key text NOT NULL,
                event_id text NOT NULL,
                state smallint NOT NULL,
                replies jsonb NULL,
                next_reply integer NOT NULL DEFAULT 0,
                reply_in_flight integer NULL,
                outcome text NULL,
                created_at timestamptz NOT NULL DEFAULT now(),
                updated_at timestamptz NOT NULL DEFAULT now());
            ALTER TABLE conversation_turns ADD COLUMN IF NOT EXISTS reply_in_flight_since timestamptz NULL;
            ALTER TABLE conversation_turns ADD COLUMN IF NOT EXISTS welcome jsonb NULL;
            CREATE INDEX IF NOT EXISTS conversation_turns_created_at ON conversation_turns (created_at);
            -- By conversation, for the echo check and the session recall. Not on reply_in_flight: a column the turn's writes
            -- change would make every one of them a non-HOT update of every index.
            CREATE INDEX IF NOT EXISTS conversation_turns_conversation ON conversation_turns (conversation_key);
            CREATE TABLE IF NOT EXISTS rate_limits (
                bot_user_id text PRIMARY KEY,
                resets_at timestamptz NOT NULL);
            CREATE TABLE IF NOT EXISTS revoked_bots (
                bot_user_id text PRIMARY KEY,
                token_fingerprint text NOT NULL,
                revoked_at timestamptz NOT NULL);
            CREATE TABLE IF NOT EXISTS sent_direct_messages (
                bot_user_id text NOT NULL,
                dm_id text NOT NULL,
                message_id uuid NOT NULL,
                reply_index integer NOT NULL,
                sent_at timestamptz NOT NULL,
                PRIMARY KEY (bot_user_id, dm_id));
            CREATE INDEX IF NOT EXISTS sent_direct_messages_sent_at ON sent_direct_messages (sent_at);
            CREATE TABLE IF NOT EXISTS bot_tokens_seen (
                bot_user_id text NOT NULL,
                token_fingerprint text NOT NULL,
                first_seen_at timestamptz NOT NULL,
                PRIMARY KEY (bot_user_id, token_fingerprint));
            CREATE TABLE IF NOT EXISTS bot_tokens_unauthorized (
                bot_user_id text NOT NULL,
                token_fingerprint text NOT NULL,
                since timestamptz NOT NULL,
                PRIMARY KEY (bot_user_id, token_fingerprint));
            CREATE TABLE IF NOT EXISTS app_suspension (
                app text PRIMARY KEY,
                reason text NOT NULL,
                since timestamptz NOT NULL,
                next_probe_at timestamptz NOT NULL);
            CREATE TABLE IF NOT EXISTS bot_quota (
                bot_user_id text NOT NULL,
                window_name text NOT NULL,
                quota_limit bigint NOT NULL,
                remaining bigint NOT NULL,
                resets_at timestamptz NOT NULL,
                observed_at timestamptz NOT NULL,
                PRIMARY KEY (bot_user_id, window_name));
            -- XChat conversation keys, AES-256-GCM-sealed under TwitterBot:XChat:ConversationKeysSecret (PostgresXChatConversationKeys).
            CREATE TABLE IF NOT EXISTS xchat_conversation_keys (
                bot_user_id text NOT NULL,
                conversation_id text NOT NULL,
                key_version bigint NOT NULL,
                nonce bytea NOT NULL,
                sealed_key bytea NOT NULL,
                created_at timestamptz NOT NULL,
                PRIMARY KEY (bot_user_id, conversation_id, key_version));
            """, connection, transaction);
        await command.ExecuteNonQueryAsync(cancellationToken);
        await transaction.CommitAsync(cancellationToken);
    }

    /// <summary>
    /// Opens a connection for each partition's turn claim and one for the other writes, and gives them back to
    /// the pool: opening a PostgreSQL session costs tens of milliseconds, which the first DMs should not pay.
    /// </summary>
    public async Task WarmUpAsync(CancellationToken cancellationToken)
    {
        var connections = await Task.WhenAll(Enumerable.Range(0, broker.Value.ConversationPartitions + 1).Select(_ => database.OpenConnectionAsync(cancellationToken).AsTask()));
        foreach (var connection in connections)
        {
            await connection.DisposeAsync();
        }
    }

    public async Task PingAsync(CancellationToken cancellationToken)
    {
        await using var command = database.CreateCommand("SELECT 1");
        await command.ExecuteScalarAsync(cancellationToken);
    }
}

/// <summary>This process's memory: nothing to prepare but a warning, and it always answers.</summary>
public sealed partial class InMemoryConversationStorage(ILogger<InMemoryConversationStorage> logger) : IConversationStorage
{
    public Task PrepareAsync(CancellationToken cancellationToken)
    {
        LogInMemory();
        return Task.CompletedTask;
    }

    public Task WarmUpAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    public Task PingAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    [LoggerMessage(LogLevel.Warning, "Processor:Store:Kind is InMemory: conversation state lives in this process only. Run ONE Processor replica, and expect duplicates after a restart. Use Postgres in production.")]
    private partial void LogInMemory();
}
