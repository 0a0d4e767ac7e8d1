using System.Net;

namespace TwitterBot.Tests.Support;

/// <summary>
/// Everything a conversation spec runs against, for real: a fresh RabbitMQ virtual host and PostgreSQL
/// database, a fake gateway and a fake X over HTTP, and the Ingress to post X's webhooks through.
/// Processors are started by the spec (in memory, or as OS processes).
/// </summary>
public sealed class ConversationRig : IAsyncDisposable
{
    public static readonly TimeSpan Patience = TimeSpan.FromSeconds(60);

    private readonly List<IAsyncDisposable> _processors = [];

    private ConversationRig(RabbitMqVirtualHost broker, PostgresDatabase store, FakeGateway gateway, FakeXApi x)
    {
        Broker = broker;
        Store = store;
        Gateway = gateway;
        X = x;
        Settings = TestSettings.Common(broker, store).UsingFakes(gateway, x);
        Ingress = new IngressFactory(Settings, useTestHarness: false);
    }

    public RabbitMqVirtualHost Broker { get; }

    public PostgresDatabase Store { get; }

    public FakeGateway Gateway { get; }

    public FakeXApi X { get; }

    public IngressFactory Ingress { get; }

    public Dictionary<string, string?> Settings { get; }

    public static async Task<ConversationRig> StartAsync()
    {
        var gateway = new FakeGateway();
        await gateway.StartAsync();
        var x = new FakeXApi();
        await x.StartAsync();
        return new ConversationRig(await RabbitMqVirtualHost.CreateAsync(), await PostgresDatabase.CreateAsync(), gateway, x);
    }

    public async Task<ProcessorFactory> StartProcessorAsync(TimeProvider? time = null)
    {
        var processor = new ProcessorFactory(Settings) { Time = time };
        _processors.Add(processor);
        await processor.WaitUntilReadyAsync(Patience);
        return processor;
    }

    public async Task<ServiceProcess> StartProcessorProcessAsync()
    {
        var processor = ProcessorProcess.Start(Settings);
        _processors.Add(processor);
        await processor.WaitUntilReadyAsync(Patience);
        return processor;
    }

    /// <summary>Delivers a DM from <paramref name="senderId"/> the way X does, and expects 200.</summary>
    public async Task PostAsync(string eventId, string text, string senderId = "3001969357")
    {
        using var response = await Ingress.PostWebhookAsync(IngressFactory.DirectMessage(eventId, senderId, text));
        Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.OK), $"the Ingress accepting event {eventId}");
    }

    public async Task<long> DeadLettersAsync()
    {
        long total = 0;
        foreach (var partition in TestSettings.PartitionQueues)
        {
            total += await Broker.CountMessagesIfAnyAsync($"{partition}_error");
        }

        return total;
    }

    public async ValueTask DisposeAsync()
    {
        await Ingress.DisposeAsync();
        foreach (var processor in _processors)
        {
            await processor.DisposeAsync();
        }

        await X.DisposeAsync();
        await Gateway.DisposeAsync();
        await Broker.DisposeAsync();
        await Store.DisposeAsync();
    }
}
