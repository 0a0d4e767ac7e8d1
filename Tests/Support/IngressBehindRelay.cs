using System.Net;

namespace TwitterBot.Tests.Support;

/// <summary>A real Ingress publishing to a fresh RabbitMQ virtual host through a <see cref="TcpRelay"/>.</summary>
public sealed class IngressBehindRelay : IAsyncDisposable
{
    private IngressBehindRelay(RabbitMqVirtualHost broker, TcpRelay relay, IngressFactory ingress)
    {
        Broker = broker;
        Relay = relay;
        Ingress = ingress;
    }

    public RabbitMqVirtualHost Broker { get; }

    public TcpRelay Relay { get; }

    public IngressFactory Ingress { get; }

    public static async Task<IngressBehindRelay> StartAsync()
    {
        var broker = await RabbitMqVirtualHost.CreateAsync();
        var relay = new TcpRelay(RabbitMqVirtualHost.AmqpNode);
        var settings = TestSettings.Common(broker);
        settings["Messaging:Rabbit:Hosts:0"] = relay.Node;
        return new IngressBehindRelay(broker, relay, new IngressFactory(settings, useTestHarness: false));
    }

    /// <summary>Posts one DM while the broker is reachable, so that the bus is connected and the queue declared.</summary>
    public async Task WarmUpAsync(string eventId)
    {
        using var response = await Ingress.PostWebhookAsync(IngressFactory.DirectMessage(eventId));
        Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.OK), "warming up with the broker reachable");
    }

    public async ValueTask DisposeAsync()
    {
        await Ingress.DisposeAsync();
        await Relay.DisposeAsync();
        await Broker.DisposeAsync();
    }
}
