using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging.Abstractions;
using Polly.CircuitBreaker;
using TwitterBot.Processor.Clients.Gateway;
using TwitterBot.Tests.Support;

namespace TwitterBot.Tests.Processor;

public class When_the_gateway_keeps_failing
{
    private static readonly GatewayRequest Request = new("hi", "Jordan", "bot", "twitter-1-2", "twitter", null);

    [Test]
    public async Task Should_stop_calling_it_then_probe_after_the_pause_and_resume_when_it_answers()
    {
        await using var gateway = new FakeGateway();
        await gateway.StartAsync();
        var down = true;
        gateway.Override = _ => down ? Results.StatusCode(503) : null;
        var time = new ManualTime();
        using var http = new HttpClient { BaseAddress = gateway.BaseAddress };
        var client = new GatewayClient(http, new GatewayCircuit(NullLogger<GatewayCircuit>.Instance, time));

        for (var call = 0; call < 4; call++)
        {
            Assert.That(() => client.AskAsync(Request, CancellationToken.None), Throws.InstanceOf<GatewayException>());
        }

        Assert.That(() => client.AskAsync(Request, CancellationToken.None),
            Throws.InstanceOf<GatewayException>().With.InnerException.InstanceOf<BrokenCircuitException>());
        Assert.That(gateway.Requests, Has.Count.EqualTo(4), "the open circuit did not reach the gateway");

        down = false;
        time.Advance(GatewayCircuit.BreakDuration + TimeSpan.FromSeconds(1));
        var answer = await client.AskAsync(Request, CancellationToken.None);

        Assert.That(answer.Responses!.Single().Text, Is.EqualTo("You said: hi"));
        Assert.That(gateway.Requests, Has.Count.EqualTo(5));
    }
}
