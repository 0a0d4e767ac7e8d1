using System.Diagnostics.Metrics;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using TwitterBot.Processor.Clients.Gateway;
using TwitterBot.Processor.Conversations;
using TwitterBot.Processor.Replies;
using TwitterBot.Tests.Support;

namespace TwitterBot.Tests.Processor;

public class When_a_gateway_answer_has_parts_that_cannot_be_used
{
    private static readonly GatewayRequest Request = new("hi", "Ann", "bot", "twitter-1-2", "twitter", null);

    [Test]
    public async Task Should_plan_the_rest_and_record_the_problem_once_without_the_bots_words()
    {
        await using var rig = await GatewayClientRig.StartAsync("""
            {"responses":[null,{"text":"private words","quick_replies":{"oops":1}},{"text":42},{"text":"more private words","attachments":[{"url":"file:///etc/passwd"},"odd"]}]}
            """);

        var answer = ReplyPlanner.Plan(await rig.Client.AskAsync(Request, CancellationToken.None));

        var warnings = rig.Logs.Messages(LogLevel.Warning).ToList();
        var metrics = rig.Metrics;
        Assert.Multiple(() =>
        {
            Assert.That(answer.Replies.Select(r => (r.Text, r.QuickReplies, r.MediaUrl)),
                Is.EqualTo(new[] { ("private words", (IReadOnlyList<QuickReplyOption>?)null, (string?)null), ("more private words", null, null) }));
            Assert.That(warnings, Has.Count.EqualTo(1), "one warning per answer");
            Assert.That(warnings.Single(), Does.Contain("5 parts").And.Not.Contain("private").And.Not.Contain("passwd"));
            Assert.That(metrics.Totals.GetValueOrDefault("twitterbot.processor.gateway.skipped{}"), Is.EqualTo(5));
        });
    }
}

public class When_a_gateway_answer_is_JSON_but_not_an_object
{
    private static readonly GatewayRequest Request = new("hi", "Ann", "bot", "twitter-1-2", "twitter", null);

    [TestCase("[]", "the answer is an Array")]
    [TestCase("[{\"text\":\"private words\"}]", "the answer is an Array")]
    [TestCase("\"private words\"", "the answer is a String")]
    [TestCase("42", "the answer is a Number")]
    [TestCase("null", "the answer is null")]
    public async Task Should_plan_an_empty_answer_and_record_its_shape_once(string body, string problem)
    {
        await using var rig = await GatewayClientRig.StartAsync(body);

        var answer = await rig.Client.AskAsync(Request, CancellationToken.None);

        var warnings = rig.Logs.Messages(LogLevel.Warning).ToList();
        var (metrics, gateway) = (rig.Metrics, rig.Gateway);
        Assert.Multiple(() =>
        {
            Assert.That(ReplyPlanner.Plan(answer).Replies, Is.Empty);
            Assert.That(answer.Skipped, Is.EqualTo(new[] { problem }));
            Assert.That(warnings, Has.Count.EqualTo(1), "one warning per answer");
            Assert.That(warnings.Single(), Does.Contain(problem).And.Not.Contain("private"));
            Assert.That(metrics.Totals.GetValueOrDefault("twitterbot.processor.gateway.skipped{}"), Is.EqualTo(1));
            Assert.That(gateway.Requests, Has.Count.EqualTo(1));
        });
    }
}

/// <summary>A gateway client against a fake gateway that answers every request with one body, its metrics and logs captured.</summary>
internal sealed class GatewayClientRig : IAsyncDisposable
{
    private readonly ServiceProvider _services;
    private readonly ILoggerFactory _loggers;
    private readonly HttpClient _http;

    private GatewayClientRig(FakeGateway gateway, ServiceProvider services, MeasuredMetrics metrics, CapturedLogs logs, ILoggerFactory loggers, HttpClient http)
    {
        (Gateway, _services, Metrics, Logs, _loggers, _http) = (gateway, services, metrics, logs, loggers, http);
        Client = GatewayClients.Create(http, new ManualTime(), services.GetRequiredService<IMeterFactory>(), loggers.CreateLogger<GatewayClient>());
    }

    public FakeGateway Gateway { get; }

    public MeasuredMetrics Metrics { get; }

    public CapturedLogs Logs { get; }

    public GatewayClient Client { get; }

    public static async Task<GatewayClientRig> StartAsync(string body)
    {
        var gateway = new FakeGateway();
        await gateway.StartAsync();
        gateway.Override = _ => Results.Text(body, "application/json");
        var services = new ServiceCollection().AddMetrics().BuildServiceProvider();
        var metrics = new MeasuredMetrics(services.GetRequiredService<IMeterFactory>(), ProcessorTelemetry.Name);
        var logs = new CapturedLogs();
        var loggers = LoggerFactory.Create(logging => logging.AddProvider(logs));
        return new GatewayClientRig(gateway, services, metrics, logs, loggers, new HttpClient { BaseAddress = gateway.BaseAddress });
    }

    public async ValueTask DisposeAsync()
    {
        _http.Dispose();
        _loggers.Dispose();
        Metrics.Dispose();
        await _services.DisposeAsync();
        await Gateway.DisposeAsync();
    }
}
