using System.Diagnostics;
using TwitterBot.Contracts;
using TwitterBot.Tests.Support;

namespace TwitterBot.Tests.Integration;

public static class Tracing_Specs
{
    // Alone: ActivitySources are process-wide, so each in-memory host's tracer also records the spans of a host of
    // another fixture running at the same time (a parallel run saw a second "POST /webhooks/").
    [Category("Integration")]
    [NonParallelizable]
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
            using (var probe = await rig.Ingress.CreateClient().GetAsync(new Uri("/health/ready", UriKind.Relative)))
            {
                Assert.That(probe.IsSuccessStatusCode, "the Ingress answering its readiness probe");
            }

            var spans = rig.Ingress.Spans.Ended.ToList();
            Print(spans);

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
                Is.EqualTo(("1890000000000000001", TestCredentials.BotId, "answered")));

            var everyTag = EveryTag([.. spans, .. processor.Spans.Ended]);
            Assert.That(everyTag, Does.Not.Contain(TestCredentials.ConsumerSecret).And.Not.Contain(TestCredentials.BotAccessSecret)
                .And.Not.Contain(TestCredentials.BotAccessToken).And.Not.Contain("trace me"), "no secret, token or message text in spans");
            Assert.That(spans.Concat(processor.Spans.Ended).Select(s => s.GetTagItem("url.path") as string), Has.None.StartsWith("/health"),
                "probes are not traced (the Processor was polled until ready, the Ingress probed once)");
        }

        [Test]
        public async Task Should_show_each_hop_and_its_SQL_under_one_trace_id()
        {
            await using var rig = await ConversationRig.StartAsync();
            var processor = await rig.StartProcessorAsync();

            await rig.PostAsync("1890000000000000002", "show me the SQL");
            var consume = await processor.Spans.WaitForAsync(
                s => s.Kind == ActivityKind.Consumer && s.GetTagItem("twitterbot.event_id") is "1890000000000000002", ConversationRig.Patience);

            // Each side as its own pipeline exported it: the Ingress's hops from the Ingress, the Processor's from the Processor.
            var ingress = rig.Ingress.Spans.Ended.Where(s => s.TraceId == consume.TraceId).ToList();
            var processed = processor.Spans.Ended.Where(s => s.TraceId == consume.TraceId).ToList();
            Print([.. ingress, .. processed]);

            Assert.Multiple(() =>
            {
                Assert.That(ingress, Has.One.Matches<Activity>(s => s.Source.Name == "Microsoft.AspNetCore" && s.Kind == ActivityKind.Server && s.DisplayName == "POST /webhooks/"), "the webhook request");
                Assert.That(ingress, Has.Some.Matches<Activity>(s => s.Source.Name == "MassTransit" && s.Kind == ActivityKind.Producer), "the publish");
                Assert.That(processed, Has.Some.Matches<Activity>(s => s.Source.Name == "MassTransit" && s.Kind == ActivityKind.Consumer), "the consume");
                Assert.That(processed, Has.Some.Matches<Activity>(s => IsCallTo(s, rig.Gateway.BaseAddress)), "the gateway call");
                Assert.That(processed, Has.Some.Matches<Activity>(s => IsCallTo(s, rig.X.BaseAddress)), "the DM to X");
                Assert.That(processed, Has.Some.Matches<Activity>(s => s.Source.Name == "Npgsql" && s.Kind == ActivityKind.Client && s.GetTagItem("db.query.text") is string), "the turn's SQL");
            });
            Assert.That(EveryTag(processed), Does.Not.Contain("show me the SQL"), "SQL spans carry the statement, never its parameter values");
        }

        private static bool IsCallTo(Activity span, Uri server) =>
            span.Source.Name == "System.Net.Http" && span.Kind == ActivityKind.Client && Equals(span.GetTagItem("server.port"), server.Port);

        private static string EveryTag(IEnumerable<Activity> spans) => string.Join('\n', spans
            .SelectMany(s => s.TagObjects.Concat(s.Events.SelectMany(e => e.Tags)))
            .Select(t => $"{t.Key}={t.Value}"));

        private static void Print(IEnumerable<Activity> spans)
        {
            foreach (var span in spans)
            {
                TestContext.Out.WriteLine($"{span.TraceId} {span.Kind,-8} {span.Source.Name,-22} {span.DisplayName} {string.Join(' ', span.TagObjects.Select(t => $"{t.Key}={t.Value}"))}");
            }
        }
    }
}
