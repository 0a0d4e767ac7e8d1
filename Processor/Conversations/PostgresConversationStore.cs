using System.Buffers.Binary;
using System.Text.Json;
using Npgsql;
using NpgsqlTypes;
using TwitterBot.Processor.Replies;

namespace TwitterBot.Processor.Conversations;

/// <summary>The conversation store on PostgreSQL, shared by every Processor replica.</summary>
public sealed class PostgresConversationStore(NpgsqlDataSource database) : IConversationStore
{
    /// <summary>Creates the tables when missing; safe when several replicas start at once.</summary>
    public async Task EnsureSchemaAsync(CancellationToken cancellationToken)
    {
        await using var connection = await database.OpenConnectionAsync(cancellationToken);
        await using var transaction = await connection.BeginTransactionAsync(cancellationToken);
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
            """, connection, transaction);
        await command.ExecuteNonQueryAsync(cancellationToken);
        await transaction.CommitAsync(cancellationToken);
    }

    /// <summary>
    /// Opens a connection for each partition's turn claim and one for the other writes, and gives them back to
    /// the pool: opening a PostgreSQL session costs tens of milliseconds, which the first DMs should not pay.
    /// </summary>
    public async Task WarmUpAsync(int partitions, CancellationToken cancellationToken)
    {
        var connections = await Task.WhenAll(Enumerable.Range(0, partitions + 1).Select(_ => database.OpenConnectionAsync(cancellationToken).AsTask()));
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

    public async Task<TurnClaim?> ClaimTurnAsync(Guid messageId, string conversationKey, string eventId, CancellationToken cancellationToken)
    {
        // A session advisory lock on a connection held for the turn: released when the turn ends, and by
        // PostgreSQL itself when the process dies, so a crash never leaves the turn claimed.
        var lockKey = BinaryPrimitives.ReadInt64LittleEndian(messageId.ToByteArray());
        var connection = await database.OpenConnectionAsync(cancellationToken);
        try
        {
            // One round trip: the lock, then the turn (inserted if new; the insert's snapshot does not see its
            // own row, so the union yields exactly one).
            await using var batch = new NpgsqlBatch(connection)
            {
                BatchCommands =
                {
                    new NpgsqlBatchCommand("SELECT pg_try_advisory_lock($1)") { Parameters = { new NpgsqlParameter { Value = lockKey } } },
                    new NpgsqlBatchCommand(
                        """
                        WITH inserted AS (
                            INSERT INTO conversation_turns (message_id, conversation_key, event_id, state)
                            VALUES ($1, $2, $3, 0)
                            ON CONFLICT (message_id) DO NOTHING
                            RETURNING state, replies, next_reply, reply_in_flight, reply_in_flight_since, welcome)
                        SELECT state, replies, next_reply, reply_in_flight, reply_in_flight_since, welcome FROM inserted
                        UNION ALL
                        SELECT state, replies, next_reply, reply_in_flight, reply_in_flight_since, welcome FROM conversation_turns
                        WHERE message_id = $1 AND NOT EXISTS (SELECT 1 FROM inserted)
                        """)
                    {
                        Parameters = { new NpgsqlParameter { Value = messageId }, new NpgsqlParameter { Value = conversationKey }, new NpgsqlParameter { Value = eventId } },
                    },
                },
            };
            TurnRecord? turn = null;
            await using (var reader = await batch.ExecuteReaderAsync(cancellationToken))
            {
                if (await reader.ReadAsync(cancellationToken) && reader.GetBoolean(0))
                {
                    if (!await reader.NextResultAsync(cancellationToken) || !await reader.ReadAsync(cancellationToken))
                    {
                        throw new InvalidOperationException($"The turn of message {messageId} was neither inserted nor found.");
                    }

                    turn = ReadTurn(messageId, reader);
                }
            }

            if (turn is null)
            {
                await connection.DisposeAsync();
                return null;
            }

            return new TurnClaim(turn, () => ReleaseAsync(connection, lockKey));
        }
        catch
        {
            // Pooled sessions are reset (advisory locks included) before Npgsql hands them out again.
            await connection.DisposeAsync();
            throw;
        }
    }

    private static async ValueTask ReleaseAsync(NpgsqlConnection connection, long lockKey)
    {
        await using (connection)
        {
            try
            {
                // Not cancellable: an idle pooled connection must not keep the lock.
                await using var unlock = new NpgsqlCommand("SELECT pg_advisory_unlock($1)", connection) { Parameters = { new NpgsqlParameter { Value = lockKey } } };
                await unlock.ExecuteNonQueryAsync(CancellationToken.None);
            }
            catch (NpgsqlException)
            {
                // The session is gone, and its lock with it (a pooled session is reset before reuse anyway).
            }
        }
    }

    private static TurnRecord ReadTurn(Guid messageId, NpgsqlDataReader reader) => new(
        messageId,
        (TurnState)reader.GetInt16(0),
        reader.IsDBNull(1) ? null : JsonSerializer.Deserialize(reader.GetString(1), ConversationJsonContext.Default.PlannedAnswer),
        reader.GetInt32(2),
        reader.IsDBNull(3) ? null : reader.GetInt32(3),
        reader.IsDBNull(4) ? null : new DateTimeOffset(reader.GetDateTime(4), TimeSpan.Zero),
        reader.IsDBNull(5) ? null : JsonSerializer.Deserialize(reader.GetString(5), ConversationJsonContext.Default.PlannedAnswer));

    public Task SaveAnswerAsync(Guid messageId, PlannedAnswer answer, CancellationToken cancellationToken) =>
        ExecuteAsync(
            """
            UPDATE conversation_turns SET state = 1, replies = $2, next_reply = 0, reply_in_flight = NULL, updated_at = now()
            WHERE message_id = $1
            """,
            cancellationToken,
            messageId,
            new NpgsqlParameter { Value = JsonSerializer.Serialize(answer, ConversationJsonContext.Default.PlannedAnswer), NpgsqlDbType = NpgsqlDbType.Jsonb });

    public Task SaveWelcomeAsync(Guid messageId, PlannedAnswer welcome, CancellationToken cancellationToken) =>
        ExecuteAsync(
            "UPDATE conversation_turns SET welcome = $2, updated_at = now() WHERE message_id = $1",
            cancellationToken,
            messageId,
            new NpgsqlParameter { Value = JsonSerializer.Serialize(welcome, ConversationJsonContext.Default.PlannedAnswer), NpgsqlDbType = NpgsqlDbType.Jsonb });

    public Task MarkSendingAsync(Guid messageId, int index, DateTimeOffset began, CancellationToken cancellationToken) =>
        ExecuteAsync("UPDATE conversation_turns SET reply_in_flight = $2, reply_in_flight_since = $3, updated_at = now() WHERE message_id = $1",
            cancellationToken, messageId, index, began.UtcDateTime);

    public async Task MarkSentAsync(Guid messageId, int index, int replies, bool complete, SentReply? sent, CancellationToken cancellationToken)
    {
        // One batch, one implicit transaction: the turn moves on and its DM is recorded, or neither.
        await using var batch = database.CreateBatch();
        batch.BatchCommands.Add(new NpgsqlBatchCommand(
            """
            UPDATE conversation_turns SET next_reply = $2 + 1, reply_in_flight = NULL,
                state = CASE WHEN $2 + 1 >= $3 AND $4 THEN 2 ELSE state END, updated_at = now()
            WHERE message_id = $1
            """)
        {
            Parameters = { new() { Value = messageId }, new() { Value = index }, new() { Value = replies }, new() { Value = complete } },
        });
        if (sent is not null)
        {
            batch.BatchCommands.Add(new NpgsqlBatchCommand(
                """
                INSERT INTO sent_direct_messages (bot_user_id, dm_id, message_id, reply_index, sent_at) VALUES ($1, $2, $3, $4, $5)
                ON CONFLICT (bot_user_id, dm_id) DO NOTHING
                """)
            {
                Parameters = { new() { Value = sent.BotUserId }, new() { Value = sent.DirectMessageId }, new() { Value = messageId }, new() { Value = index }, new() { Value = sent.SentAt.UtcDateTime } },
            });
        }

        await batch.ExecuteNonQueryAsync(cancellationToken);
    }

    public async Task<IReadOnlySet<string>> RecordedSendsAsync(string botUserId, IReadOnlyCollection<string> directMessageIds, CancellationToken cancellationToken)
    {
        var recorded = new HashSet<string>(StringComparer.Ordinal);
        if (directMessageIds.Count == 0)
        {
            return recorded;
        }

        await using var command = database.CreateCommand("SELECT dm_id FROM sent_direct_messages WHERE bot_user_id = $1 AND dm_id = ANY($2)");
        command.Parameters.Add(new NpgsqlParameter { Value = botUserId });
        command.Parameters.Add(new NpgsqlParameter { Value = directMessageIds.ToArray() });
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        while (await reader.ReadAsync(cancellationToken))
        {
            recorded.Add(reader.GetString(0));
        }

        return recorded;
    }

    public async Task<DateTimeOffset> TokenFirstSeenAsync(string botUserId, string tokenFingerprint, DateTimeOffset now, CancellationToken cancellationToken)
    {
        // DO UPDATE (to itself) so that the row is returned whether it was inserted now or long ago.
        await using var command = database.CreateCommand(
            """
            INSERT INTO bot_tokens_seen (bot_user_id, token_fingerprint, first_seen_at)
            SELECT $1, $2, CASE WHEN EXISTS (SELECT 1 FROM bot_tokens_seen WHERE bot_user_id = $1) THEN $3 ELSE $4 END
            ON CONFLICT (bot_user_id, token_fingerprint) DO UPDATE SET first_seen_at = bot_tokens_seen.first_seen_at
            RETURNING first_seen_at
            """);
        command.Parameters.Add(new NpgsqlParameter { Value = botUserId });
        command.Parameters.Add(new NpgsqlParameter { Value = tokenFingerprint });
        command.Parameters.Add(new NpgsqlParameter { Value = now.UtcDateTime });
        command.Parameters.Add(new NpgsqlParameter { Value = IConversationStore.SeenSinceAlways.UtcDateTime });
        return new DateTimeOffset((DateTime)(await command.ExecuteScalarAsync(cancellationToken))!, TimeSpan.Zero);
    }

    public Task MarkNotSentAsync(Guid messageId, int index, CancellationToken cancellationToken) =>
        ExecuteAsync("UPDATE conversation_turns SET reply_in_flight = NULL, updated_at = now() WHERE message_id = $1 AND reply_in_flight = $2", cancellationToken, messageId, index);

    public Task FinishTurnAsync(Guid messageId, TurnState state, string? outcome, CancellationToken cancellationToken) =>
        ExecuteAsync("UPDATE conversation_turns SET state = $2, outcome = $3, reply_in_flight = NULL, updated_at = now() WHERE message_id = $1",
            cancellationToken, messageId, (short)state, new NpgsqlParameter { Value = (object?)outcome ?? DBNull.Value, NpgsqlDbType = NpgsqlDbType.Text });

    public async Task<DateTimeOffset?> LastTurnStartedAsync(string conversationKey, Guid otherThan, CancellationToken cancellationToken)
    {
        await using var command = database.CreateCommand("SELECT max(created_at) FROM conversation_turns WHERE conversation_key = $1 AND message_id <> $2");
        command.Parameters.Add(new NpgsqlParameter { Value = conversationKey });
        command.Parameters.Add(new NpgsqlParameter { Value = otherThan });
        return await command.ExecuteScalarAsync(cancellationToken) is DateTime startedAt ? new DateTimeOffset(startedAt, TimeSpan.Zero) : null;
    }

    public async Task<DateTimeOffset?> GetRateLimitResetAsync(string botUserId, CancellationToken cancellationToken)
    {
        await using var command = database.CreateCommand("SELECT resets_at FROM rate_limits WHERE bot_user_id = $1 AND resets_at > now()");
        command.Parameters.Add(new NpgsqlParameter { Value = botUserId });
        return await command.ExecuteScalarAsync(cancellationToken) is DateTime resetsAt
            ? new DateTimeOffset(resetsAt, TimeSpan.Zero)
            : null;
    }

    public Task SetRateLimitResetAsync(string botUserId, DateTimeOffset resetsAt, CancellationToken cancellationToken) =>
        ExecuteAsync(
            """
            INSERT INTO rate_limits (bot_user_id, resets_at) VALUES ($1, $2)
            ON CONFLICT (bot_user_id) DO UPDATE SET resets_at = GREATEST(rate_limits.resets_at, excluded.resets_at)
            """,
            cancellationToken, botUserId, resetsAt.UtcDateTime);

    public Task MarkRevokedAsync(string botUserId, string tokenFingerprint, DateTimeOffset revokedAt, CancellationToken cancellationToken) =>
        ExecuteAsync(
            """
            INSERT INTO revoked_bots (bot_user_id, token_fingerprint, revoked_at) VALUES ($1, $2, $3)
            ON CONFLICT (bot_user_id) DO UPDATE SET token_fingerprint = excluded.token_fingerprint, revoked_at = excluded.revoked_at
            """,
            cancellationToken, botUserId, tokenFingerprint, revokedAt.UtcDateTime);

    public async Task<string?> RevokedTokenAsync(string botUserId, CancellationToken cancellationToken)
    {
        await using var command = database.CreateCommand("SELECT token_fingerprint FROM revoked_bots WHERE bot_user_id = $1");
        command.Parameters.Add(new NpgsqlParameter { Value = botUserId });
        return await command.ExecuteScalarAsync(cancellationToken) as string;
    }

    public async Task<DateTimeOffset> UnauthorizedSinceAsync(string botUserId, string tokenFingerprint, DateTimeOffset now, CancellationToken cancellationToken)
    {
        // DO UPDATE (to itself) so that the row is returned whether it was inserted now or by an earlier 401.
        await using var command = database.CreateCommand(
            """
            INSERT INTO bot_tokens_unauthorized (bot_user_id, token_fingerprint, since) VALUES ($1, $2, $3)
            ON CONFLICT (bot_user_id, token_fingerprint) DO UPDATE SET since = bot_tokens_unauthorized.since
            RETURNING since
            """);
        command.Parameters.Add(new NpgsqlParameter { Value = botUserId });
        command.Parameters.Add(new NpgsqlParameter { Value = tokenFingerprint });
        command.Parameters.Add(new NpgsqlParameter { Value = now.UtcDateTime });
        return new DateTimeOffset((DateTime)(await command.ExecuteScalarAsync(cancellationToken))!, TimeSpan.Zero);
    }

    public Task ClearUnauthorizedAsync(string botUserId, CancellationToken cancellationToken) =>
        ExecuteAsync("DELETE FROM bot_tokens_unauthorized WHERE bot_user_id = $1", cancellationToken, botUserId);

    public async Task<int> PurgeTurnsAsync(DateTimeOffset before, CancellationToken cancellationToken)
    {
        // A recorded send older than any turn still kept can no longer be mistaken for a reply being looked up.
        await using var forget = database.CreateCommand("DELETE FROM sent_direct_messages WHERE sent_at < $1");
        forget.Parameters.Add(new NpgsqlParameter { Value = before.UtcDateTime });
        await forget.ExecuteNonQueryAsync(cancellationToken);

        await using var command = database.CreateCommand("DELETE FROM conversation_turns WHERE created_at < $1 AND state IN (2, 3)");
        command.Parameters.Add(new NpgsqlParameter { Value = before.UtcDateTime });
        return await command.ExecuteNonQueryAsync(cancellationToken);
    }

    private async Task ExecuteAsync(string sql, CancellationToken cancellationToken, params object[] parameters)
    {
        await using var command = database.CreateCommand(sql);
        foreach (var parameter in parameters)
        {
            command.Parameters.Add(parameter as NpgsqlParameter ?? new NpgsqlParameter { Value = parameter });
        }

        await command.ExecuteNonQueryAsync(cancellationToken);
    }
}
