using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json.Nodes;
using Npgsql;
using RabbitMQ.Client;

namespace TwitterBot.Benchmarks;

/// <summary>A fresh RabbitMQ virtual host and PostgreSQL database for one benchmark run, removed afterwards.</summary>
public sealed class Infrastructure : IAsyncDisposable
{
    public const string AmqpHost = "127.0.0.1";
    public const string Postgres = "Host=127.0.0.1;Port=5432;Username=twitterbot;Password=twitterbot;Database=twitterbot";
    private static readonly Uri Management = new("http://127.0.0.1:15672/");

    private readonly HttpClient _management;
    private IConnection? _amqp;

    private Infrastructure(HttpClient management, string name)
    {
        _management = management;
        Name = name;
    }

    public string Name { get; }

    public string DatabaseConnectionString => new NpgsqlConnectionStringBuilder(Postgres) { Database = Name }.ConnectionString;

    public static async Task<Infrastructure> CreateAsync()
    {
        var management = new HttpClient { BaseAddress = Management };
        management.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Basic", Convert.ToBase64String(Encoding.ASCII.GetBytes("guest:guest")));
        var name = $"twitterbot_bench_{Guid.NewGuid():N}";
        (await management.PutAsync(new Uri($"api/vhosts/{name}", UriKind.Relative), null)).EnsureSuccessStatusCode();
        (await management.PutAsJsonAsync($"api/permissions/{name}/guest", new { configure = ".*", write = ".*", read = ".*" })).EnsureSuccessStatusCode();
        await ExecuteAsync(Postgres, $"CREATE DATABASE {name}");
        return new Infrastructure(management, name);
    }

    public async Task<string> VersionsAsync()
    {
        var overview = JsonNode.Parse(await _management.GetStringAsync(new Uri("api/overview", UriKind.Relative)))!;
        await using var connection = new NpgsqlConnection(Postgres);
        await connection.OpenAsync();
        return $"RabbitMQ {overview["rabbitmq_version"]} (Erlang {overview["erlang_version"]}), PostgreSQL {connection.PostgreSqlVersion}";
    }

    /// <summary>Messages ready in the given queues.</summary>
    public async Task<long> ReadyAsync(IEnumerable<string> queues)
    {
        var amqp = await AmqpAsync();
        await using var channel = await amqp.CreateChannelAsync();
        long total = 0;
        foreach (var queue in queues)
        {
            total += (await channel.QueueDeclarePassiveAsync(queue)).MessageCount;
        }

        return total;
    }

    public async Task PurgeAsync(IEnumerable<string> queues)
    {
        var amqp = await AmqpAsync();
        await using var channel = await amqp.CreateChannelAsync();
        foreach (var queue in queues)
        {
            await channel.QueuePurgeAsync(queue);
        }
    }

    public async ValueTask DisposeAsync()
    {
        if (_amqp is not null)
        {
            await _amqp.DisposeAsync();
        }

        await _management.DeleteAsync(new Uri($"api/vhosts/{Name}", UriKind.Relative));
        _management.Dispose();
        await PostgresServer.DropDatabaseAsync(Postgres, Name);
    }

    private async Task<IConnection> AmqpAsync() =>
        _amqp ??= await new ConnectionFactory { HostName = AmqpHost, VirtualHost = Name, UserName = "guest", Password = "guest" }.CreateConnectionAsync();

    private static async Task ExecuteAsync(string connectionString, string sql)
    {
        await using var connection = new NpgsqlConnection(connectionString);
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand(sql, connection);
        await command.ExecuteNonQueryAsync();
    }
}
