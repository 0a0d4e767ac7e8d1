using System.Buffers.Binary;
using System.Text.Json;
using Npgsql;
using NpgsqlTypes;
using TwitterBot.Processor.Replies;

namespace TwitterBot.Processor.Conversations;

/// <summary>
/// The turn ledger on PostgreSQL (<c>conversation_turns</c>, <c>sent_direct_messages</c>), shared by every
/// Processor replica. The <c>state</c> column holds <see cref="TurnState"/>'s numbers, passed as parameters: the
/// same values every earlier version wrote, so their rows read as they were and no migration is needed.
/// </summary>
public sealed class PostgresTurnLedger(NpgsqlDataSource database) : ITurnLedger
{
    private static readonly short[] Finished = [(short)TurnState.Completed, (short)TurnState.Rejected];

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
                            VALUES ($1, $2, $3, $4)
                            ON CONFLICT (message_id) DO NOTHING
                            RETURNING state, replies, next_reply, reply_in_flight, reply_in_flight_since, welcome, outcome)
                        SELECT state, replies, next_reply, reply_in_flight, reply_in_flight_since, welcome, outcome FROM inserted
                        UNION ALL
                        SELECT state, replies, next_reply, reply_in_flight, reply_in_flight_since, welcome, outcome FROM conversation_turns
                        WHERE message_id = $1 AND NOT EXISTS (SELECT 1 FROM inserted)
                        """)
                    {
                        Parameters =
                        {
                            new NpgsqlParameter { Value = messageId },
                            new NpgsqlParameter { Value = conversationKey },
                            new NpgsqlParameter { Value = eventId },
                            new NpgsqlParameter { Value = (short)TurnState.Received },
                        },
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

            var held = new HeldTurn(connection, lockKey);
            return new TurnClaim(turn, held.SaveAsync, held.ReleaseAsync);
        }
        catch
        {
            // Pooled sessions are reset (advisory locks included) before Npgsql hands them out again.
            await connection.DisposeAsync();
            throw;
        }
    }

    private static TurnRecord ReadTurn(Guid messageId, NpgsqlDataReader reader) => new(
        messageId,
        (TurnState)reader.GetInt16(0),
        reader.IsDBNull(1) ? null : JsonSerializer.Deserialize(reader.GetString(1), ConversationJsonContext.Default.PlannedAnswer),
        reader.GetInt32(2),
        reader.IsDBNull(3) ? null : reader.GetInt32(3),
        reader.IsDBNull(4) ? null : new DateTimeOffset(reader.GetDateTime(4), TimeSpan.Zero),
        reader.IsDBNull(5) ? null : JsonSerializer.Deserialize(reader.GetString(5), ConversationJsonContext.Default.PlannedAnswer),
        reader.IsDBNull(6) ? null : reader.GetString(6));

    /// <summary>
    /// A claimed turn: its advisory lock, and the session that holds it, which also carries the turn's writes (no
    /// pooled session per write). Each write sets only the columns the transition changed: while the turn is
    /// claimed nobody else writes its row, so the row was <c>from</c> and becomes <c>to</c> whole. The write that
    /// finishes the turn releases the lock in the same round trip; the release on dispose covers the rest.
    /// </summary>
    private sealed class HeldTurn(NpgsqlConnection connection, long lockKey)
    {
        private bool _unlocked;

        public async Task SaveAsync(TurnRecord from, TurnRecord to, SentReply? sent, TurnWriteRider? rider, CancellationToken cancellationToken)
        {
            if (connection.State != System.Data.ConnectionState.Open)
            {
                // The server ended the session (restart, crash) under an earlier statement of this turn: Npgsql closed it,
                // and a command on it would be InvalidOperationException, which no retry takes.
                throw new TurnClaimLostException(to.MessageId);
            }

            // One batch, one implicit transaction: the turn moves on and its DM is recorded, or neither. The unlock
            // runs only when both did (a failed statement ends the batch); it is not transactional, and need not be.
            await using var batch = new NpgsqlBatch(connection);
            batch.BatchCommands.Add(Update(from, to));
            if (sent is not null)
            {
                // A sent DM comes with the turn's Sent(index), which made index + 1 the next reply.
                batch.BatchCommands.Add(new NpgsqlBatchCommand(
                    """
                    INSERT INTO sent_direct_messages (bot_user_id, dm_id, message_id, reply_index, sent_at) VALUES ($1, $2, $3, $4, $5)
                    ON CONFLICT (bot_user_id, dm_id) DO NOTHING
                    """)
                {
                    Parameters =
                    {
                        new() { Value = sent.BotUserId },
                        new() { Value = sent.DirectMessageId },
                        new() { Value = to.MessageId },
                        new() { Value = to.NextReply - 1 },
                        new() { Value = sent.SentAt.UtcDateTime },
                    },
                });
            }

            switch (rider)
            {
                case null:
                    break;
                case PostgresTurnWriteRider statement:
                    batch.BatchCommands.Add(statement.Command);
                    break;
                default:
                    throw new NotSupportedException($"The PostgreSQL ledger writes no {rider.GetType().Name}.");
            }

            var unlock = to.IsFinished;
            if (unlock)
            {
                batch.BatchCommands.Add(Unlock());
            }

            await batch.ExecuteNonQueryAsync(cancellationToken);
            _unlocked |= unlock;
        }

        public async ValueTask ReleaseAsync()
        {
            await using (connection)
            {
                // A session the server ended (a restart, a crash) is closed by Npgsql and took its lock with it. Unlocking
                // on it would throw InvalidOperationException, not transient, from the turn's finally: that hid the turn's
                // own, transient failure and sent its message to _error.
                if (_unlocked || connection.State != System.Data.ConnectionState.Open)
                {
                    return;
                }

                try
                {
                    // Not cancellable: an idle pooled connection must not keep the lock.
                    await using var unlock = new NpgsqlBatch(connection) { BatchCommands = { Unlock() } };
                    await unlock.ExecuteNonQueryAsync(CancellationToken.None);
                }
                catch (Exception failure) when (failure is NpgsqlException or InvalidOperationException)
                {
                    // The session is gone, and its lock with it (a pooled session is reset before reuse anyway);
                    // InvalidOperationException when it broke between the check above and the unlock.
                }
            }
        }

        private NpgsqlBatchCommand Unlock() => new("SELECT pg_advisory_unlock($1)") { Parameters = { new NpgsqlParameter { Value = lockKey } } };

        private static NpgsqlBatchCommand Update(TurnRecord from, TurnRecord to)
        {
            var command = new NpgsqlBatchCommand { Parameters = { new() { Value = to.MessageId } } };
            var columns = new List<string>(4);
            void Set(string column, NpgsqlParameter value)
            {
                command.Parameters.Add(value);
                columns.Add($"{column} = ${command.Parameters.Count}");
            }

            if (from.State != to.State)
            {
                Set("state", new() { Value = (short)to.State });
            }

            if (!ReferenceEquals(from.Answer, to.Answer))
            {
                Set("replies", Json(to.Answer));
            }

            if (from.NextReply != to.NextReply)
            {
                Set("next_reply", new() { Value = to.NextReply });
            }

            if (from.ReplyInFlight != to.ReplyInFlight)
            {
                Set("reply_in_flight", new() { Value = (object?)to.ReplyInFlight ?? DBNull.Value, NpgsqlDbType = NpgsqlDbType.Integer });
            }

            if (from.ReplyInFlightSince != to.ReplyInFlightSince)
            {
                Set("reply_in_flight_since", new() { Value = (object?)to.ReplyInFlightSince?.UtcDateTime ?? DBNull.Value, NpgsqlDbType = NpgsqlDbType.TimestampTz });
            }

            if (!ReferenceEquals(from.Welcome, to.Welcome))
            {
                Set("welcome", Json(to.Welcome));
            }

            if (from.Outcome != to.Outcome)
            {
                Set("outcome", new() { Value = (object?)to.Outcome ?? DBNull.Value, NpgsqlDbType = NpgsqlDbType.Text });
            }

            columns.Add("updated_at = now()");
            command.CommandText = $"UPDATE conversation_turns SET {string.Join(", ", columns)} WHERE message_id = $1";
            return command;
        }

        private static NpgsqlParameter Json(PlannedAnswer? answer) => new()
        {
            Value = answer is null ? DBNull.Value : JsonSerializer.Serialize(answer, ConversationJsonContext.Default.PlannedAnswer),
            NpgsqlDbType = NpgsqlDbType.Jsonb,
        };
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

    public async Task<bool> IsSendingAsync(string conversationKey, CancellationToken cancellationToken)
    {
        await using var command = database.CreateCommand("SELECT EXISTS (SELECT 1 FROM conversation_turns WHERE conversation_key = $1 AND reply_in_flight IS NOT NULL)");
        command.Parameters.Add(new NpgsqlParameter { Value = conversationKey });
        return await command.ExecuteScalarAsync(cancellationToken) is true;
    }

    public async Task<DateTimeOffset?> LastTurnStartedAsync(string conversationKey, Guid otherThan, CancellationToken cancellationToken)
    {
        await using var command = database.CreateCommand("SELECT max(created_at) FROM conversation_turns WHERE conversation_key = $1 AND message_id <> $2");
        command.Parameters.Add(new NpgsqlParameter { Value = conversationKey });
        command.Parameters.Add(new NpgsqlParameter { Value = otherThan });
        return await command.ExecuteScalarAsync(cancellationToken) is DateTime startedAt ? new DateTimeOffset(startedAt, TimeSpan.Zero) : null;
    }

    public async Task<int> PurgeTurnsAsync(DateTimeOffset before, CancellationToken cancellationToken)
    {
        // A recorded send older than any turn still kept can no longer be mistaken for a reply being looked up.
        await using var forget = database.CreateCommand("DELETE FROM sent_direct_messages WHERE sent_at < $1");
        forget.Parameters.Add(new NpgsqlParameter { Value = before.UtcDateTime });
        await forget.ExecuteNonQueryAsync(cancellationToken);

        await using var command = database.CreateCommand("DELETE FROM conversation_turns WHERE created_at < $1 AND state = ANY($2)");
        command.Parameters.Add(new NpgsqlParameter { Value = before.UtcDateTime });
        command.Parameters.Add(new NpgsqlParameter { Value = Finished });
        return await command.ExecuteNonQueryAsync(cancellationToken);
    }
}

/// <summary>A statement that rides with a turn's write on the session that holds the turn; its row count is read after.</summary>
public sealed class PostgresTurnWriteRider(NpgsqlBatchCommand command) : TurnWriteRider
{
    public NpgsqlBatchCommand Command { get; } = command;
}

/// <summary>
/// The session that held a turn's claim is gone (PostgreSQL restarted, or the connection broke under an earlier
/// statement), and the claim's lock with it: the turn cannot be written on it. Transient: the retry claims the turn
/// again on a new session and resumes from what was stored.
/// </summary>
public sealed class TurnClaimLostException(Guid messageId)
    : NpgsqlException($"The PostgreSQL session holding the claim on the turn of message {messageId} has ended.")
{
    public override bool IsTransient => true;
}
