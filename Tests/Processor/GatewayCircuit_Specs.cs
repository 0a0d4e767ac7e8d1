using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Polly.CircuitBreaker;
using TwitterBot.Processor.Clients.Gateway;
using TwitterBot.Processor.Options;
using TwitterBot.Tests.Support;

namespace TwitterBot.Tests.Processor;

public static class GatewayCircuit_Specs
{
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
            await using var services = GatewayClients.Build(gateway.BaseAddress, time);
            var client = services.GetRequiredService<GatewayClient>();

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

            Assert.That(answer.Messages.Single().Text, Is.EqualTo("You said: hi"));
            Assert.That(gateway.Requests, Has.Count.EqualTo(5));
        }
    }

    public class When_the_gateway_answers_one_user_with_what_cannot_be_read
    {
        private static readonly GatewayRequest FromA = new("hi", "Ann", "bot", "twitter-1-2", "twitter", null);
        private static readonly GatewayRequest FromB = new("hi", "Bob", "bot", "twitter-1-3", "twitter", null);

        [TestCase("not JSON at all", "application/json")]
        [TestCase("<html>oops</html>", "text/html")]
        [TestCase("", "application/json")]
        public async Task Should_fail_those_calls_but_keep_the_circuit_closed_for_everyone_else(string body, string contentType)
        {
            await using var gateway = new FakeGateway();
            await gateway.StartAsync();
            gateway.Override = request => request["suid"]!.GetValue<string>() == FromA.Suid ? Results.Text(body, contentType) : null;
            await using var services = GatewayClients.Build(gateway.BaseAddress, new ManualTime());
            var client = services.GetRequiredService<GatewayClient>();

            for (var call = 0; call < 8; call++)
            {
                Assert.That(() => client.AskAsync(FromA, CancellationToken.None),
                    Throws.InstanceOf<GatewayException>().With.InnerException.Not.InstanceOf<BrokenCircuitException>(), "the gateway answered, so it is up");
            }

            var answer = await client.AskAsync(FromB, CancellationToken.None);

            Assert.That(answer.Messages.Single().Text, Is.EqualTo("You said: hi"));
            Assert.That(gateway.Requests, Has.Count.EqualTo(9), "every call reached the gateway");
        }

        [TestCase(StatusCodes.Status400BadRequest)]
        [TestCase(StatusCodes.Status404NotFound)]
        [TestCase(StatusCodes.Status422UnprocessableEntity)]
        public async Task Should_not_open_the_circuit_for_a_refusal_of_one_request(int status)
        {
            await using var gateway = new FakeGateway();
            await gateway.StartAsync();
            gateway.Override = request => request["suid"]!.GetValue<string>() == FromA.Suid ? Results.StatusCode(status) : null;
            await using var services = GatewayClients.Build(gateway.BaseAddress, new ManualTime());
            var client = services.GetRequiredService<GatewayClient>();

            for (var call = 0; call < 8; call++)
            {
                Assert.That(() => client.AskAsync(FromA, CancellationToken.None), Throws.InstanceOf<GatewayException>());
            }

            Assert.That((await client.AskAsync(FromB, CancellationToken.None)).Messages.Single().Text, Is.EqualTo("You said: hi"));
        }

        [TestCase(StatusCodes.Status429TooManyRequests)]
        [TestCase(StatusCodes.Status408RequestTimeout)]
        [TestCase(StatusCodes.Status500InternalServerError)]
        public async Task Should_open_it_for_an_overloaded_or_failing_gateway(int status)
        {
            await using var gateway = new FakeGateway();
            await gateway.StartAsync();
            gateway.Override = _ => Results.StatusCode(status);
            await using var services = GatewayClients.Build(gateway.BaseAddress, new ManualTime());
            var client = services.GetRequiredService<GatewayClient>();

            for (var call = 0; call < 4; call++)
            {
                Assert.That(() => client.AskAsync(FromA, CancellationToken.None), Throws.InstanceOf<GatewayException>());
            }

            Assert.That(() => client.AskAsync(FromB, CancellationToken.None),
                Throws.InstanceOf<GatewayException>().With.InnerException.InstanceOf<BrokenCircuitException>());
        }
    }
}

/// <summary>Gateway clients as the Processor builds them (its own registration), each provider on its own circuit.</summary>
internal static class GatewayClients
{
    public static ServiceProvider Build(Uri gateway, TimeProvider time, ILoggerProvider? logs = null, IReadOnlyDictionary<string, string?>? settings = null)
    {
        var values = new Dictionary<string, string?> { ["Gateway:Url"] = gateway.ToString() };
        foreach (var (key, value) in settings ?? new Dictionary<string, string?>())
        {
            values[key] = value;
        }

        return new ServiceCollection()
            .AddSingleton<IConfiguration>(new ConfigurationBuilder().AddInMemoryCollection(values).Build())
            .AddSingleton(time)
            .AddLogging(logging =>
            {
                if (logs is not null)
                {
                    logging.AddProvider(logs);
                }
            })
            .AddMetrics()
            .AddGatewayOptions()
            .AddGatewayClient()
            .BuildServiceProvider();
    }
}
