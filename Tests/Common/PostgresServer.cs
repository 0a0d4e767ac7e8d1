using Npgsql;

namespace TwitterBot.Tests.Common;

public static class PostgresServer
{
    /// <summary>
    /// Drops a database and ends its sessions. An autovacuum worker busy in it runs as no role, and only a member
    /// of pg_signal_backend may end it (build/lib/postgres.sh grants that); on a server without the grant, the drop
    /// waits for the worker to finish instead.
    /// </summary>
    public static async Task DropDatabaseAsync(string serverConnectionString, string name)
    {
        for (var attempt = 1; ; attempt++)
        {
            try
            {
                await using var connection = new NpgsqlConnection(serverConnectionString);
                await connection.OpenAsync();
                await using var command = new NpgsqlCommand($"DROP DATABASE IF EXISTS {name} WITH (FORCE)", connection);
                await command.ExecuteNonQueryAsync();
                return;
            }
            catch (PostgresException exception) when (exception.SqlState == PostgresErrorCodes.InsufficientPrivilege && attempt < 60)
            {
                await Task.Delay(TimeSpan.FromSeconds(1));
            }
        }
    }
}
