using System.Diagnostics.Metrics;
using System.Text.Json;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using TwitterBot.Processor.Clients.Gateway;
using TwitterBot.Processor.Conversations;
using TwitterBot.Processor.Replies;
using TwitterBot.Tests.Support;

namespace TwitterBot.Tests.Processor;

public static class GatewayAnswers_Specs
{
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
                Assert.That(GatewayAnswers.Read(JsonDocument.Parse(body).RootElement).Skipped, Is.EqualTo(new[] { problem }));
                Assert.That(warnings, Has.Count.EqualTo(1), "one warning per answer");
                Assert.That(warnings.Single(), Does.Contain(problem).And.Not.Contain("private"));
                Assert.That(metrics.Totals.GetValueOrDefault("twitterbot.processor.gateway.skipped{}"), Is.EqualTo(1));
                Assert.That(gateway.Requests, Has.Count.EqualTo(1));
            });
        }
    }

    public class When_the_gateway_ends_the_conversation_or_hands_it_over
    {
        [TestCase("""{"responses":[{"text":"Connecting you to a human","redirect":"agent"}]}""", ConversationSignal.HandedOver)]
        [TestCase("""{"responses":[{"text":"One moment","command":"handover"}]}""", ConversationSignal.HandedOver)]
        [TestCase("""{"current_state":{"id":"1","name":"redirect:agent"},"responses":[{"text":"One moment"}]}""", ConversationSignal.HandedOver)]
        [TestCase("""{"responses":[{"text":"Bye!"},{"type":"end_conversation"}]}""", ConversationSignal.Ended)]
        [TestCase("""{"current_state":{"id":"1","name":"end"},"responses":[{"text":"Bye!"}]}""", ConversationSignal.Ended)]
        [TestCase("""{"current_state":{"id":"1","name":"say:Hello"},"responses":[{"text":"Hello","type":"text"}]}""", ConversationSignal.None)]
        public void Should_read_its_system_command_as_the_answers_signal(string answer, ConversationSignal expected) =>
            Assert.That(GatewayAnswers.Read(JsonDocument.Parse(answer).RootElement).Answer.Signal, Is.EqualTo(expected));
    }

    public class When_the_gateway_answers_through_the_client_the_Processor_registers
    {
        private static readonly GatewayRequest Request = new("hi", "Ann", "bot", "twitter-1-2", "twitter", new Dictionary<string, string> { ["twitter_event_id"] = "9" });

        [Test]
        public async Task Should_post_the_documented_body_and_return_the_bots_answer_in_its_own_words()
        {
            await using var rig = await GatewayClientRig.StartAsync("""
                {"current_state":{"id":"1","name":"end"},"responses":[{"text":"Bye","quick_replies":[{"title":"Again","description":"Start over","payload":"AGAIN"}],"attachments":[{"type":"image","url":"https://example.com/a.png"}]}]}
                """);

            var answer = await rig.Client.AskAsync(Request, CancellationToken.None);

            var body = rig.Gateway.Requests.Single();
            Assert.Multiple(() =>
            {
                Assert.That(body.ToJsonString(), Is.EqualTo("""{"text":"hi","author":"Ann","uuid":"bot","suid":"twitter-1-2","source_type":"twitter","extra_data":{"twitter_event_id":"9"}}"""));
                Assert.That(answer.Messages.Single(), Has.Property(nameof(BotMessage.Text)).EqualTo("Bye"));
                Assert.That(answer.Messages.Single().Options, Is.EqualTo(new[] { new BotOption("Again", "Start over", "AGAIN") }));
                Assert.That(answer.Messages.Single().Attachments, Is.EqualTo(new[] { new BotAttachment("https://example.com/a.png", "image") }));
                Assert.That(answer.Signal, Is.EqualTo(ConversationSignal.Ended));
            });
        }
    }

    public class When_the_gateway_does_not_answer_in_time
    {
        private static readonly GatewayRequest Request = new("hi", "Ann", "bot", "twitter-1-2", "twitter", null);

        [Test]
        public async Task Should_fail_the_call_as_an_outage_naming_the_timeout()
        {
            await using var gateway = new FakeGateway();
            await gateway.StartAsync();
            // Headers at once, then a body that never comes (released after the spec, or at the latest after 30 s).
            using var release = new CancellationTokenSource(TimeSpan.FromSeconds(30));
            gateway.Override = _ => Results.Stream(async body =>
            {
                await body.FlushAsync();
                try
                {
                    await Task.Delay(Timeout.Infinite, release.Token);
                }
                catch (OperationCanceledException)
                {
                }
            }, "application/json");
            await using var services = GatewayClients.Build(gateway.BaseAddress, new ManualTime(), settings: new Dictionary<string, string?> { ["Gateway:Timeout"] = "00:00:00.2" });

            var failure = Assert.ThrowsAsync<GatewayException>(() => services.GetRequiredService<GatewayClient>().AskAsync(Request, CancellationToken.None));
            await release.CancelAsync();

            Assert.That(failure, Has.Property(nameof(GatewayException.IsOutage)).True.And.Message.EqualTo("The gateway did not answer within 00:00:00.2000000."));
        }
    }

    public class When_the_gateway_cannot_be_reached
    {
        private static readonly GatewayRequest Request = new("hi", "Ann", "bot", "twitter-1-2", "twitter", null);

        [Test]
        public async Task Should_fail_the_call_as_an_outage()
        {
            // Nothing listens on the discard port of the loopback.
            await using var services = GatewayClients.Build(new Uri("http://127.0.0.1:9/"), new ManualTime());

            var failure = Assert.ThrowsAsync<GatewayException>(() => services.GetRequiredService<GatewayClient>().AskAsync(Request, CancellationToken.None));

            Assert.That(failure, Has.Property(nameof(GatewayException.IsOutage)).True
                .And.Message.StartsWith("The gateway is unreachable:")
                .And.InnerException.InstanceOf<HttpRequestException>());
        }
    }
}

/// <summary>A gateway client, as the Processor builds it, against a fake gateway that answers every request with one body; its metrics and logs captured.</summary>
internal sealed class GatewayClientRig : IAsyncDisposable
{
    private readonly ServiceProvider _services;

    private GatewayClientRig(FakeGateway gateway, ServiceProvider services, CapturedLogs logs)
    {
        (Gateway, _services, Logs) = (gateway, services, logs);
        Metrics = new MeasuredMetrics(services.GetRequiredService<IMeterFactory>(), ProcessorTelemetry.Name);
        Client = services.GetRequiredService<GatewayClient>();
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
        var logs = new CapturedLogs();
        return new GatewayClientRig(gateway, GatewayClients.Build(gateway.BaseAddress, new ManualTime(), logs), logs);
    }

    public async ValueTask DisposeAsync()
    {
        Metrics.Dispose();
        await _services.DisposeAsync();
        await Gateway.DisposeAsync();
    }
}
