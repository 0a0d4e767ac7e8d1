using Npgsql;

namespace TwitterBot.Tests.Support;

/// <summary>
/// A fresh database on the real local PostgreSQL (started by build/test.sh), dropped afterwards, so every
/// spec's conversation store starts empty.
/// </summary>
public sealed class PostgresDatabase : IAsyncDisposable
{
    public static readonly string ServerConnectionString = Environment.GetEnvironmentVariable("TWITTERBOT_TEST_POSTGRES")
        ?? "Host=127.0.0.1;Port=5432;Username=twitterbot;Password=twitterbot;Database=twitterbot";

    private PostgresDatabase(string name) => Name = name;

    public string Name { get; }

    public string ConnectionString => new NpgsqlConnectionStringBuilder(ServerConnectionString) { Database = Name }.ConnectionString;

    public static async Task<PostgresDatabase> CreateAsync()
    {
        var name = $"twitterbot_test_{Guid.NewGuid():N}";
        try
        {
            await ExecuteOnServerAsync($"CREATE DATABASE {name}");
        }
        catch (NpgsqlException exception)
        {
            throw new InvalidOperationException("PostgreSQL is not reachable as configured. Run the tests with build/test.sh, which starts it.", exception);
        }

        return new PostgresDatabase(name);
    }

    /// <summary>Runs a query in this database and returns the first column of the first row.</summary>
    public async Task<T?> ScalarAsync<T>(string sql)
    {
        await using var connection = new NpgsqlConnection(ConnectionString);
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand(sql, connection);
        return await command.ExecuteScalarAsync() is T value ? value : default;
    }

    public async ValueTask DisposeAsync() => await PostgresServer.DropDatabaseAsync(ServerConnectionString, Name);

    private static async Task ExecuteOnServerAsync(string sql)
    {
        await using var connection = new NpgsqlConnection(ServerConnectionString);
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand(sql, connection);
        await command.ExecuteNonQueryAsync();
    }
}
