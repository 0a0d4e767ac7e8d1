using System.Diagnostics.Metrics;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using TwitterBot.Processor.Clients.Gateway;
using TwitterBot.Processor.Conversations;
using TwitterBot.Tests.Support;

namespace TwitterBot.Tests.Processor;

public class When_a_gateway_answer_has_parts_that_cannot_be_used
{
    private static readonly GatewayRequest Request = new("hi", "Ann", "bot", "twitter-1-2", "twitter", null);

    [Test]
    public async Task Should_plan_the_rest_and_record_the_problem_once_without_the_bots_words()
    {
        await using var gateway = new FakeGateway();
        await gateway.StartAsync();
        gateway.Override = _ => Results.Text("""
            {"responses":[null,{"text":"private words","quick_replies":{"oops":1}},{"text":42},{"text":"more private words","attachments":[{"url":"file:///etc/passwd"},"odd"]}]}
            """, "application/json");
        using var services = new ServiceCollection().AddMetrics().BuildServiceProvider();
        var meters = services.GetRequiredService<IMeterFactory>();
        using var metrics = new MeasuredMetrics(meters, ProcessorTelemetry.Name);
        var logs = new CapturedLogs();
        using var loggers = LoggerFactory.Create(logging => logging.AddProvider(logs));
        using var http = new HttpClient { BaseAddress = gateway.BaseAddress };
        var client = GatewayClients.Create(http, new ManualTime(), meters, loggers.CreateLogger<GatewayClient>());

        var answer = ReplyPlanner.Plan(await client.AskAsync(Request, CancellationToken.None));

        var warnings = logs.Messages(LogLevel.Warning).ToList();
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
        await using var gateway = new FakeGateway();
        await gateway.StartAsync();
        gateway.Override = _ => Results.Text(body, "application/json");
        using var services = new ServiceCollection().AddMetrics().BuildServiceProvider();
        var meters = services.GetRequiredService<IMeterFactory>();
        using var metrics = new MeasuredMetrics(meters, ProcessorTelemetry.Name);
        var logs = new CapturedLogs();
        using var loggers = LoggerFactory.Create(logging => logging.AddProvider(logs));
        using var http = new HttpClient { BaseAddress = gateway.BaseAddress };
        var client = GatewayClients.Create(http, new ManualTime(), meters, loggers.CreateLogger<GatewayClient>());

        var answer = await client.AskAsync(Request, CancellationToken.None);

        var warnings = logs.Messages(LogLevel.Warning).ToList();
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
