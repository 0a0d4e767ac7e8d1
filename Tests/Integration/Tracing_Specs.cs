using System.Diagnostics;
using TwitterBot.Contracts;
using TwitterBot.Tests.Support;

namespace TwitterBot.Tests.Integration;

[Category("Integration")]
public class When_a_DM_travels_from_the_webhook_to_the_reply
{
    [Test]
    public async Task Should_be_one_trace_across_both_services_without_secrets()
    {
        await using var rig = await ConversationRig.StartAsync();
        var processor = await rig.StartProcessorAsync();
        var consumed = processor.CountConsumed<DirectMessageReceived>();

        await rig.PostAsync("1890000000000000001", "trace me");
        await consumed.WaitForAsync(1, ConversationRig.Patience);
        await rig.X.WaitForDirectMessagesAsync(1, ConversationRig.Patience);

        var spans = rig.Ingress.Spans.Ended.ToList();
        foreach (var span in spans)
        {
            TestContext.Out.WriteLine($"{span.TraceId} {span.Kind,-8} {span.Source.Name,-22} {span.DisplayName} {string.Join(' ', span.TagObjects.Select(t => $"{t.Key}={t.Value}"))}");
        }

        var webhook = spans.Single(s => s.Kind == ActivityKind.Server && s.DisplayName == "POST /webhooks/");
        Assert.That((webhook.GetTagItem("url.path"), webhook.GetTagItem("http.response.status_code")), Is.EqualTo(("/webhooks", 200)));
        var trace = spans.Where(s => s.TraceId == webhook.TraceId).ToList();
        Assert.That(trace.Select(s => (s.Source.Name, s.Kind)), Is.SupersetOf(new[]
        {
            ("Microsoft.AspNetCore", ActivityKind.Server),
            ("MassTransit", ActivityKind.Producer),
            ("MassTransit", ActivityKind.Consumer),
            ("System.Net.Http", ActivityKind.Client),
        }));
        Assert.That(trace.Count(s => s.Source.Name == "System.Net.Http" && s.Kind == ActivityKind.Client), Is.GreaterThanOrEqualTo(2), "the gateway call and the DM to X");

        var consume = trace.Single(s => s.Kind == ActivityKind.Consumer && s.GetTagItem("twitterbot.event_id") is not null);
        Assert.That((consume.GetTagItem("twitterbot.event_id"), consume.GetTagItem("twitterbot.bot_id"), consume.GetTagItem("twitterbot.outcome")),
            Is.EqualTo(("1890000000000000001", TestSettings.BotId, "answered")));

        var everyTag = string.Join('\n', spans.SelectMany(s => s.TagObjects).Select(t => $"{t.Key}={t.Value}"));
        Assert.That(everyTag, Does.Not.Contain(TestSettings.ConsumerSecret).And.Not.Contain(TestSettings.BotAccessSecret)
            .And.Not.Contain(TestSettings.BotAccessToken).And.Not.Contain("trace me"), "no secret, token or message text in spans");
        Assert.That(spans.Select(s => s.GetTagItem("url.path") as string), Has.None.StartsWith("/health"), "probes are not traced");
    }
}
