using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text;

namespace TwitterBot.Tests.Support;

/// <summary>
/// A fresh virtual host on the real local RabbitMQ (started by build/test.sh), created through the
/// management API and deleted afterwards, so every integration spec starts from empty queues.
/// </summary>
public sealed class RabbitMqVirtualHost : IAsyncDisposable
{
    public static readonly string AmqpNode = Environment.GetEnvironmentVariable("TWITTERBOT_TEST_RABBITMQ_NODE") ?? "127.0.0.1:5672";
    public static readonly string ManagementUrl = Environment.GetEnvironmentVariable("TWITTERBOT_TEST_RABBITMQ_MANAGEMENT") ?? "http://127.0.0.1:15672/";
    public const string Username = "guest";
    public const string Password = "guest";

    private readonly HttpClient _management;

    private RabbitMqVirtualHost(string name, HttpClient management)
    {
        Name = name;
        _management = management;
    }

    public string Name { get; }

    public static async Task<RabbitMqVirtualHost> CreateAsync()
    {
        var management = new HttpClient { BaseAddress = new Uri(ManagementUrl), Timeout = TimeSpan.FromSeconds(30) };
        management.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue(
            "Basic", Convert.ToBase64String(Encoding.ASCII.GetBytes($"{Username}:{Password}")));

        var name = $"twitterbot-test-{Guid.NewGuid():N}";
        try
        {
            (await management.PutAsync($"api/vhosts/{name}", null)).EnsureSuccessStatusCode();
            (await management.PutAsJsonAsync($"api/permissions/{name}/{Username}",
                new { configure = ".*", write = ".*", read = ".*" })).EnsureSuccessStatusCode();
        }
        catch (HttpRequestException exception)
        {
            management.Dispose();
            throw new InvalidOperationException(
                $"RabbitMQ's management API at {ManagementUrl} is not reachable. Run the tests with build/test.sh, which starts RabbitMQ.", exception);
        }

        return new RabbitMqVirtualHost(name, management);
    }

    /// <summary>How the broker declared a queue of this virtual host (management API).</summary>
    public async Task<QueueInfo> GetQueueAsync(string queue) =>
        await _management.GetFromJsonAsync<QueueInfo>($"api/queues/{Name}/{queue}") ?? throw new InvalidOperationException($"No queue {queue}.");

    /// <summary>The messages ready in a queue, as the broker reports them right now (AMQP passive declare).</summary>
    public async Task<uint> CountReadyMessagesAsync(string queue)
    {
        var node = ServiceDefaults.BrokerNode.TryParse(AmqpNode, out var parsed) ? parsed : throw new InvalidOperationException(AmqpNode);
        var factory = new RabbitMQ.Client.ConnectionFactory
        {
            HostName = node.Host,
            Port = node.Port,
            VirtualHost = Name,
            UserName = Username,
            Password = Password,
        };
        await using var connection = await factory.CreateConnectionAsync();
        await using var channel = await connection.CreateChannelAsync();
        return (await channel.QueueDeclarePassiveAsync(queue)).MessageCount;
    }

    /// <summary>The messages ready in all the given queues.</summary>
    public async Task<long> CountReadyMessagesAsync(IEnumerable<string> queues)
    {
        long total = 0;
        foreach (var queue in queues)
        {
            total += await CountReadyMessagesAsync(queue);
        }

        return total;
    }

    /// <summary>Messages in a queue, or 0 when the queue was never created (e.g. no <c>_error</c> queue).</summary>
    public async Task<long> CountMessagesIfAnyAsync(string queue)
    {
        using var response = await _management.GetAsync(new Uri($"api/queues/{Name}/{queue}", UriKind.Relative));
        if (response.StatusCode == System.Net.HttpStatusCode.NotFound)
        {
            return 0;
        }

        response.EnsureSuccessStatusCode();
        return await CountReadyMessagesAsync(queue);
    }

    public async ValueTask DisposeAsync()
    {
        await _management.DeleteAsync($"api/vhosts/{Name}");
        _management.Dispose();
    }
}

public sealed record QueueInfo(
    string Name,
    bool Durable,
    string Type,
    IReadOnlyDictionary<string, System.Text.Json.JsonElement> Arguments,
    int Consumers);
