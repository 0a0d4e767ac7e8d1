using System.Text.Json;
using MassTransit;
using MassTransit.Context;
using MassTransit.Middleware;
using MassTransit.Saga;
using Npgsql;
using NpgsqlTypes;
using TwitterBot.Contracts;
using TwitterBot.Conventions.Ids;

namespace TwitterBot.Processor.Conversations.Saga;

/// <summary>
/// The <c>conversations</c> table: one row per conversation saga, its state as JSON, guarded by a version
/// (optimistic concurrency, no lock held while a turn talks to the gateway and X). Shared by every replica.
/// </summary>
public sealed class PostgresConversationSagaStore(NpgsqlDataSource source, TimeProvider time)
{
    public async Task EnsureSchemaAsync(CancellationToken cancellationToken)
    {
        await using var command = source.CreateCommand("""
            CREATE TABLE IF NOT EXISTS conversations (
                correlation_id uuid PRIMARY KEY,
                version int NOT NULL,
                state jsonb NOT NULL,
                updated_at timestamptz NOT NULL,
                last_activity_at timestamptz NULL);
            CREATE INDEX IF NOT EXISTS conversations_idle ON conversations ((coalesce(last_activity_at, updated_at)));
            """);
        await command.ExecuteNonQueryAsync(cancellationToken);
    }

    public async Task<ConversationState?> LoadAsync(Guid correlationId, CancellationToken cancellationToken) =>
        (await LoadAsync(correlationId, null, cancellationToken)).State;

    /// <summary>
    /// Loads the conversation; when it has no saga yet and <paramref name="recall"/> names its turn, in the same round
    /// trip, when the ledger's latest other turn of that conversation began (a conversation older than its saga).
    /// </summary>
    public async Task<(ConversationState? State, EarlierTurn? Recalled)> LoadAsync(
        Guid correlationId, EarlierTurnQuery? recall, CancellationToken cancellationToken)
    {
        // The CASE runs its subquery only for a missing conversation.
        await using var command = source.CreateCommand(recall is null
            ? "SELECT c.version, c.state FROM (SELECT 1) AS one LEFT JOIN conversations c ON c.correlation_id = $1"
            : """
              SELECT c.version, c.state, CASE WHEN c.correlation_id IS NULL THEN
                  (SELECT max(t.created_at) FROM conversation_turns t WHERE t.conversation_key = $2 AND t.message_id <> $3) END
              FROM (SELECT 1) AS one LEFT JOIN conversations c ON c.correlation_id = $1
              """);
        command.Parameters.Add(new NpgsqlParameter<Guid> { TypedValue = correlationId });
        if (recall is not null)
        {
            command.Parameters.Add(new NpgsqlParameter<string> { TypedValue = recall.ConversationKey });
            command.Parameters.Add(new NpgsqlParameter<Guid> { TypedValue = recall.OtherThan });
        }

        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        await reader.ReadAsync(cancellationToken);
        if (reader.IsDBNull(0))
        {
            return (null, recall is null ? null : new EarlierTurn(reader.IsDBNull(2) ? null : new DateTimeOffset(reader.GetDateTime(2), TimeSpan.Zero)));
        }

        var state = JsonSerializer.Deserialize(reader.GetString(1), ConversationStateJsonContext.Default.ConversationState)
            ?? throw new InvalidOperationException($"Conversation {correlationId} has no state.");
        state.CorrelationId = correlationId;
        state.Version = reader.GetInt32(0);
        return (state, null);
    }

    /// <summary>Inserts a new conversation at version 1; false when one with its id exists already (another consume won the race).</summary>
    public Task<bool> TryInsertAsync(ConversationState state, CancellationToken cancellationToken) =>
        TryWriteAsync(state, insert: true, null, cancellationToken);

    /// <summary>Saves the conversation over the version it was loaded at; false when another consume saved it since.</summary>
    public Task<bool> TryUpdateAsync(ConversationState state, CancellationToken cancellationToken) =>
        TryWriteAsync(state, insert: false, null, cancellationToken);

    /// <summary>
    /// As <see cref="TryInsertAsync"/> (<paramref name="insert"/>) or <see cref="TryUpdateAsync"/>, in the same round trip as
    /// the last write of the turn <paramref name="finishing"/> holds, on its session (and released by it).
    /// </summary>
    public Task<bool> TryWriteFinishingAsync(ConversationState state, bool insert, TurnClaim finishing, CancellationToken cancellationToken) =>
        TryWriteAsync(state, insert, finishing, cancellationToken);

    private async Task<bool> TryWriteAsync(ConversationState state, bool insert, TurnClaim? finishing, CancellationToken cancellationToken)
    {
        var write = insert ? Insert(state) : Update(state);
        var loaded = state.Version;
        state.Version = insert ? 1 : loaded + 1;
        write.Parameters[1].Value = JsonSerializer.Serialize(state, ConversationStateJsonContext.Default.ConversationState);
        if (finishing is null)
        {
            await using var batch = source.CreateBatch();
            batch.BatchCommands.Add(write);
            await batch.ExecuteNonQueryAsync(cancellationToken);
        }
        else
        {
            await finishing.FlushAsync(new PostgresTurnWriteRider(write), cancellationToken);
        }

        if (write.RecordsAffected == 1)
        {
            return true;
        }

        state.Version = loaded;
        return false;
    }

    private NpgsqlBatchCommand Insert(ConversationState state)
    {
        var command = new NpgsqlBatchCommand("""
            INSERT INTO conversations (correlation_id, version, state, updated_at, last_activity_at)
            VALUES ($1, 1, $2, $3, $4)
            ON CONFLICT (correlation_id) DO NOTHING
            """);
        AddState(command, state);
        return command;
    }

    private NpgsqlBatchCommand Update(ConversationState state)
    {
        var command = new NpgsqlBatchCommand("""
            UPDATE conversations SET version = $5, state = $2, updated_at = $3, last_activity_at = $4
            WHERE correlation_id = $1 AND version = $6
            """);
        AddState(command, state);
        command.Parameters.Add(new NpgsqlParameter<int> { TypedValue = state.Version + 1 });
        command.Parameters.Add(new NpgsqlParameter<int> { TypedValue = state.Version });
        return command;
    }

    /// <summary>Deletes a finalized conversation at the version it was loaded at; false when another consume saved it since.</summary>
    public async Task<bool> TryDeleteAsync(ConversationState state, CancellationToken cancellationToken)
    {
        await using var command = source.CreateCommand("DELETE FROM conversations WHERE correlation_id = $1 AND version = $2");
        command.Parameters.Add(new NpgsqlParameter<Guid> { TypedValue = state.CorrelationId });
        command.Parameters.Add(new NpgsqlParameter<int> { TypedValue = state.Version });
        return await command.ExecuteNonQueryAsync(cancellationToken) == 1;
    }

    /// <summary>Forgets conversations without activity since <paramref name="idleSince"/>; returns how many.</summary>
    public async Task<int> PurgeIdleAsync(DateTimeOffset idleSince, CancellationToken cancellationToken)
    {
        await using var command = source.CreateCommand("DELETE FROM conversations WHERE coalesce(last_activity_at, updated_at) < $1");
        command.Parameters.Add(new NpgsqlParameter<DateTimeOffset> { TypedValue = idleSince });
        return await command.ExecuteNonQueryAsync(cancellationToken);
    }

    // The state's JSON ($2) is serialized when written, after its version is set.
    private void AddState(NpgsqlBatchCommand command, ConversationState state)
    {
        command.Parameters.Add(new NpgsqlParameter<Guid> { TypedValue = state.CorrelationId });
        command.Parameters.Add(new NpgsqlParameter { NpgsqlDbType = NpgsqlDbType.Jsonb });
        command.Parameters.Add(new NpgsqlParameter<DateTimeOffset> { TypedValue = time.GetUtcNow() });
        command.Parameters.Add(new NpgsqlParameter { Value = (object?)state.LastActivityAt ?? DBNull.Value, NpgsqlDbType = NpgsqlDbType.TimestampTz });
    }
}

/// <summary>
/// MassTransit's saga repository over <see cref="PostgresConversationSagaStore"/>. A stale save (the
/// conversation was saved by another consume since it was loaded, or inserted by a racing first message)
/// throws <see cref="ConcurrencyException"/>, which the definition's retry answers by loading it again.
/// </summary>
public sealed class PostgresConversationSagaRepositoryContextFactory(
    PostgresConversationSagaStore store,
    ISagaConsumeContextFactory<PostgresConversationSagaStore, ConversationState> factory,
    TurnFinishing? finishing = null)
    : ISagaRepositoryContextFactory<ConversationState>, ILoadSagaRepositoryContextFactory<ConversationState>
{
    public Task Send<T>(ConsumeContext<T> context, IPipe<SagaRepositoryContext<ConversationState, T>> next) where T : class =>
        next.Send(new Context<T>(store, context, factory, finishing));

    public Task SendQuery<T>(ConsumeContext<T> context, ISagaQuery<ConversationState> query, IPipe<SagaRepositoryQueryContext<ConversationState, T>> next)
        where T : class =>
        throw new NotSupportedException("Conversations are correlated by id only.");

    public Task<T> Execute<T>(Func<LoadSagaRepositoryContext<ConversationState>, Task<T>> asyncMethod, CancellationToken cancellationToken = default)
        where T : class =>
        asyncMethod(new LoadContext(store, cancellationToken));

    public void Probe(ProbeContext context) => context.Add("persistence", "postgres");

    private sealed class Context<T> : ConsumeContextScope<T>, SagaRepositoryContext<ConversationState, T>
        where T : class
    {
        private readonly PostgresConversationSagaStore _store;
        private readonly ConsumeContext<T> _consumeContext;
        private readonly ISagaConsumeContextFactory<PostgresConversationSagaStore, ConversationState> _factory;
        private readonly TurnFinishing? _finishing;

        public Context(
            PostgresConversationSagaStore store,
            ConsumeContext<T> consumeContext,
            ISagaConsumeContextFactory<PostgresConversationSagaStore, ConversationState> factory,
            TurnFinishing? finishing)
            : base(consumeContext)
        {
            _store = store;
            _consumeContext = consumeContext;
            _factory = factory;
            _finishing = finishing;
        }

        public Task<SagaConsumeContext<ConversationState, TMessage>> CreateSagaConsumeContext<TMessage>(
            ConsumeContext<TMessage> consumeContext, ConversationState instance, SagaConsumeContextMode mode)
            where TMessage : class =>
            _factory.CreateSagaConsumeContext(_store, consumeContext, instance, mode);

        public Task<SagaConsumeContext<ConversationState, T>> Add(ConversationState instance) =>
            _factory.CreateSagaConsumeContext(_store, _consumeContext, instance, SagaConsumeContextMode.Add);

        public async Task<SagaConsumeContext<ConversationState, T>> Insert(ConversationState instance) =>
            await _store.TryInsertAsync(instance, CancellationToken)
                ? await _factory.CreateSagaConsumeContext(_store, _consumeContext, instance, SagaConsumeContextMode.Insert)
                : null!; // the caller loads the one that won

        public async Task<SagaConsumeContext<ConversationState, T>> Load(Guid correlationId)
        {
            var recall = _consumeContext.Message is DirectMessageReceived received && _consumeContext.MessageId is { } messageId
                ? new EarlierTurnQuery(ConversationKeys.For(received.BotUserId, received.SenderId), messageId)
                : null;
            var (instance, recalled) = await _store.LoadAsync(correlationId, recall, CancellationToken);
            if (instance is null)
            {
                if (recalled is not null)
                {
                    _consumeContext.AddOrUpdatePayload(() => recalled, _ => recalled);
                }

                return null!; // missing: the caller creates it
            }

            return await _factory.CreateSagaConsumeContext(_store, _consumeContext, instance, SagaConsumeContextMode.Load);
        }

        public async Task Save(SagaConsumeContext<ConversationState> context)
        {
            if (!await WriteAsync(context.Saga, insert: true))
            {
                throw Stale(context.Saga, "was created by another consume meanwhile");
            }
        }

        public async Task Update(SagaConsumeContext<ConversationState> context)
        {
            if (!await WriteAsync(context.Saga, insert: false))
            {
                throw Stale(context.Saga, $"changed since it was loaded at version {context.Saga.Version}");
            }
        }

        public async Task Delete(SagaConsumeContext<ConversationState> context)
        {
            if (!await _store.TryDeleteAsync(context.Saga, CancellationToken))
            {
                throw Stale(context.Saga, $"changed since it was loaded at version {context.Saga.Version}");
            }
        }

        public Task Discard(SagaConsumeContext<ConversationState> context) => Task.CompletedTask;

        /// <summary>The conversation, with the last write of the turn this consume took when it waits for it (one round trip).</summary>
        private async Task<bool> WriteAsync(ConversationState state, bool insert)
        {
            if (_finishing?.Take() is not { } turn)
            {
                return insert ? await _store.TryInsertAsync(state, CancellationToken) : await _store.TryUpdateAsync(state, CancellationToken);
            }

            await using (turn)
            {
                return await _store.TryWriteFinishingAsync(state, insert, turn, CancellationToken);
            }
        }

        public Task Undo(SagaConsumeContext<ConversationState> context) => Task.CompletedTask;

        private static ConcurrencyException Stale(ConversationState state, string what) =>
            new($"Conversation {state.CorrelationId} {what}; retried.", typeof(ConversationState), state.CorrelationId);
    }

    private sealed class LoadContext(PostgresConversationSagaStore store, CancellationToken cancellationToken)
        : BasePipeContext(cancellationToken), LoadSagaRepositoryContext<ConversationState>
    {
        public async Task<ConversationState> Load(Guid correlationId) => (await store.LoadAsync(correlationId, CancellationToken))!;
    }
}

/// <summary>Which conversation's earlier turns to recall with a load, and the turn to leave out (the one being taken).</summary>
public sealed record EarlierTurnQuery(string ConversationKey, Guid OtherThan);

/// <summary>When the ledger's latest earlier turn of a conversation new to the saga began (null: none), recalled by its load.</summary>
public sealed record EarlierTurn(DateTimeOffset? StartedAt);
