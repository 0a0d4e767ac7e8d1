using Npgsql;
using TwitterBot.Processor.Conversations;

namespace TwitterBot.Tests.Support;

/// <summary>Which store a shared store spec drives.</summary>
public enum StoreKind
{
    Postgres,
    InMemory,
}

/// <summary>
/// The turn ledger and the per-bot throttles of one kind, for specs that drive both kinds through the same
/// cases: PostgreSQL in a database of its own (schema created as the Processor creates it), or memory.
/// </summary>
public sealed class ConversationStores : IAsyncDisposable
{
    public static readonly StoreKind[] Kinds = [StoreKind.Postgres, StoreKind.InMemory];

    private readonly NpgsqlDataSource? _source;

    /// <summary>The PostgreSQL stores' data source; null in memory.</summary>
    public NpgsqlDataSource? Source => _source;

    private ConversationStores(ITurnLedger turns, IBotThrottles throttles, PostgresDatabase? database, NpgsqlDataSource? source)
    {
        Turns = turns;
        Throttles = throttles;
        Database = database;
        _source = source;
    }

    public ITurnLedger Turns { get; }

    public IBotThrottles Throttles { get; }

    /// <summary>The PostgreSQL database, for the PostgreSQL kind.</summary>
    public PostgresDatabase? Database { get; }

    public static async Task<ConversationStores> StartAsync(StoreKind kind)
    {
        if (kind == StoreKind.InMemory)
        {
            return new ConversationStores(new InMemoryTurnLedger(TimeProvider.System), new InMemoryBotThrottles(TimeProvider.System), null, null);
        }

        var database = await PostgresDatabase.CreateAsync();
        var source = NpgsqlDataSource.Create(database.ConnectionString);
        await new PostgresConversationStorage(source, Microsoft.Extensions.Options.Options.Create(new ServiceDefaults.RabbitMqOptions())).EnsureSchemaAsync(CancellationToken.None);
        return new ConversationStores(new PostgresTurnLedger(source), new PostgresBotThrottles(source), database, source);
    }

    public async ValueTask DisposeAsync()
    {
        if (_source is not null)
        {
            await _source.DisposeAsync();
        }

        if (Database is not null)
        {
            await Database.DisposeAsync();
        }
    }
}
