using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text;
using RabbitMQ.Client;
using RabbitMQ.Client.Events;

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
    private readonly string _amqpNode;

    private RabbitMqVirtualHost(string name, HttpClient management, string amqpNode)
    {
        Name = name;
        _management = management;
        _amqpNode = amqpNode;
    }

    public string Name { get; }

    public static Task<RabbitMqVirtualHost> CreateAsync() => CreateAsync(ManagementUrl, AmqpNode);

    /// <summary>A fresh virtual host on another broker (e.g. a node of build/lib/cluster.sh's cluster), managed through <paramref name="managementUrl"/>.</summary>
    public static async Task<RabbitMqVirtualHost> CreateAsync(string managementUrl, string amqpNode)
    {
        var management = new HttpClient { BaseAddress = new Uri(managementUrl), Timeout = TimeSpan.FromSeconds(30) };
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
                $"RabbitMQ's management API at {managementUrl} is not reachable. Run the tests with build/test.sh, which starts RabbitMQ.", exception);
        }

        return new RabbitMqVirtualHost(name, management, amqpNode);
    }

    /// <summary>How the broker declared a queue of this virtual host (management API).</summary>
    public async Task<QueueInfo> GetQueueAsync(string queue) =>
        await _management.GetFromJsonAsync<QueueInfo>($"api/queues/{Name}/{queue}") ?? throw new InvalidOperationException($"No queue {queue}.");

    /// <summary>A plain RabbitMQ.Client connection to this virtual host, for specs that act as a raw client.</summary>
    public async Task<IConnection> ConnectAsync()
    {
        var node = ServiceDefaults.BrokerNode.TryParse(_amqpNode, out var parsed) ? parsed : throw new InvalidOperationException(_amqpNode);
        var factory = new ConnectionFactory
        {
            HostName = node.Host,
            Port = node.Port,
            VirtualHost = Name,
            UserName = Username,
            Password = Password,
        };
        return await factory.CreateConnectionAsync();
    }

    /// <summary>The messages ready in a queue, as the broker reports them right now (AMQP passive declare).</summary>
    public async Task<uint> CountReadyMessagesAsync(string queue)
    {
        await using var connection = await ConnectAsync();
        await using var channel = await connection.CreateChannelAsync();
        return (await channel.QueueDeclarePassiveAsync(queue)).MessageCount;
    }

    /// <summary>Declares a durable queue with these arguments, e.g. as an earlier version of the services did.</summary>
    public async Task DeclareQueueAsync(string queue, IDictionary<string, object?> arguments)
    {
        await using var connection = await ConnectAsync();
        await using var channel = await connection.CreateChannelAsync();
        await channel.QueueDeclareAsync(queue, durable: true, exclusive: false, autoDelete: false, arguments);
    }

    /// <summary>
    /// Reads every message ready in a queue and gives them all back unacknowledged (the channel is closed with
    /// them), as a consumer that dies would: what it returns is what the queue held, in its order.
    /// </summary>
    public async Task<IReadOnlyList<PeekedMessage>> PeekAsync(string queue)
    {
        await using var connection = await ConnectAsync();
        await using var channel = await connection.CreateChannelAsync();
        var ready = (await channel.QueueDeclarePassiveAsync(queue)).MessageCount;
        var peeked = new List<PeekedMessage>();
        if (ready == 0)
        {
            return peeked;
        }

        var deliveries = System.Threading.Channels.Channel.CreateUnbounded<PeekedMessage>();
        var consumer = new AsyncEventingBasicConsumer(channel);
        consumer.ReceivedAsync += (_, delivery) => deliveries.Writer.WriteAsync(PeekedMessage.From(delivery)).AsTask();
        await channel.BasicConsumeAsync(queue, autoAck: false, consumer);
        using var patience = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        while (peeked.Count < ready)
        {
            peeked.Add(await deliveries.Reader.ReadAsync(patience.Token));
        }

        await channel.CloseAsync();
        return peeked;
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

    /// <summary>The names of this virtual host's exchanges (management API): MassTransit declares one for each message type it publishes.</summary>
    public async Task<IReadOnlyList<string>> ExchangeNamesAsync() =>
        [.. (await _management.GetFromJsonAsync<List<ExchangeInfo>>($"api/exchanges/{Name}") ?? []).Select(e => e.Name)];

    private sealed record ExchangeInfo(string Name);

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

/// <summary>A message as a raw consumer received it: its id, its headers (byte strings as text) and its body.</summary>
public sealed record PeekedMessage(string? MessageId, IReadOnlyDictionary<string, object?> Headers, string Body, bool Redelivered)
{
    /// <summary>The broker's count of earlier deliveries (<c>x-delivery-count</c>), 0 when it sent none.</summary>
    public long DeliveryCount => Headers.TryGetValue("x-delivery-count", out var count) && count is not null ? Convert.ToInt64(count, System.Globalization.CultureInfo.InvariantCulture) : 0;

    public string? Header(string name) => Headers.TryGetValue(name, out var value) ? value?.ToString() : null;

    public static PeekedMessage From(BasicDeliverEventArgs delivery) => new(
        delivery.BasicProperties.MessageId,
        (delivery.BasicProperties.Headers ?? new Dictionary<string, object?>()).ToDictionary(h => h.Key, h => h.Value is byte[] bytes ? Encoding.UTF8.GetString(bytes) : h.Value),
        Encoding.UTF8.GetString(delivery.Body.Span),
        delivery.Redelivered);
}
