using System.Net;
using System.Text.Json.Nodes;
using Microsoft.Extensions.Logging;
using TwitterBot.Simulators;
using TwitterBot.Tests.Support;

namespace TwitterBot.Tests.Integration;

/// <summary>
/// The human in the loop end to end: X's echoes of the account's DMs through the Ingress, RabbitMQ's conversation
/// partitions, the Processor with its PostgreSQL ledger and saga, on a clock the spec moves (the Processor's and X's).
/// </summary>
public static class HumanInTheLoop_Specs
{
    private const string User = "3001969357";
    private static readonly TimeSpan Patience = ConversationRig.Patience;

    /// <summary>X echoes every DM the account sends to the Ingress's webhook, the bot's sends before X answers them.</summary>
    private static void EchoThroughIngress(ConversationRig rig) =>
        rig.X.EchoTo = async body =>
        {
            using var response = await rig.Ingress.PostWebhookAsync(body);
            Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.OK), "the Ingress accepting an echo");
        };

    /// <summary>Waits until the Processor logged that it held <paramref name="eventId"/> for the human.</summary>
    private static async Task HeldAsync(ProcessorFactory processor, string eventId)
    {
        using var timeout = new CancellationTokenSource(Patience);
        while (!processor.Logs.Messages(LogLevel.Information).Any(m => m.Contains($"Event {eventId} ", StringComparison.Ordinal) && m.Contains("holds this conversation", StringComparison.Ordinal)))
        {
            await Task.Delay(TimeSpan.FromMilliseconds(50), timeout.Token);
        }
    }

    public class When_a_person_at_the_brand_answers_from_the_X_app
    {
        [Test]
        public async Task Should_pause_the_bot_extend_the_pause_with_each_reply_and_resume_after_it()
        {
            var clock = new ManualTime();
            await using var rig = await ConversationRig.StartAsync();
            rig.X.Clock = clock;
            EchoThroughIngress(rig);
            var processor = await rig.StartProcessorAsync(clock);

            await rig.PostAsync("1980000000000000001", "hello");
            await rig.X.WaitForDirectMessagesAsync(1, Patience);
            var firstHuman = clock.GetUtcNow();
            await rig.X.AnswerAsBrandAsync(User, "Hi, Sam from the shop here.");

            clock.Advance(TimeSpan.FromMinutes(10));
            await rig.PostAsync("1980000000000000002", "thanks Sam");
            await HeldAsync(processor, "1980000000000000002");

            clock.Advance(TimeSpan.FromMinutes(15));
            await rig.X.AnswerAsBrandAsync(User, "Anything else?");
            clock.Advance(TimeSpan.FromMinutes(20)); // 45 minutes after Sam's first DM, 20 after the second
            await rig.PostAsync("1980000000000000003", "no, that's all");
            await HeldAsync(processor, "1980000000000000003");

            clock.Advance(TimeSpan.FromMinutes(11));
            await rig.PostAsync("1980000000000000004", "bot, are you back?");
            var sent = await rig.X.WaitForDirectMessagesAsync(2, Patience);

            Assert.Multiple(async () =>
            {
                Assert.That(clock.GetUtcNow() - firstHuman, Is.GreaterThan(TimeSpan.FromMinutes(30)), "past the first pause: only the extension held the third DM");
                Assert.That(rig.Gateway.AskedTexts, Is.EqualTo(new[] { "hello", "bot, are you back?" }), "no gateway call while the human held it");
                Assert.That(sent.Select(dm => dm.Text), Is.EqualTo(new[] { "You said: hello", "You said: bot, are you back?" }), "no reply meanwhile");
                Assert.That(await rig.DeadLettersAsync(), Is.Zero);
            });
        }
    }

    public class When_X_echoes_the_bots_own_DMs_before_it_answers_their_sends
    {
        [Test]
        public async Task Should_never_pause_the_bot()
        {
            await using var rig = await ConversationRig.StartAsync();
            EchoThroughIngress(rig);
            var processor = await rig.StartProcessorAsync();

            await rig.PostAsync("1980000000000000101", "one");
            await rig.X.WaitForDirectMessagesAsync(1, Patience);
            await rig.PostAsync("1980000000000000102", "two");
            await rig.X.WaitForDirectMessagesAsync(2, Patience);
            await rig.PostAsync("1980000000000000103", "three");

            var sent = await rig.X.WaitForDirectMessagesAsync(3, Patience);
            Assert.Multiple(async () =>
            {
                Assert.That(sent.Select(dm => dm.Text), Is.EqualTo(new[] { "You said: one", "You said: two", "You said: three" }));
                Assert.That(processor.Logs.Messages(LogLevel.Information).Where(m => m.Contains("a person at the brand", StringComparison.Ordinal)), Is.Empty);
                Assert.That(await rig.DeadLettersAsync(), Is.Zero);
            });
        }
    }

    public class When_a_user_on_X_API_v2_answers_with_an_options_number
    {
        [Test]
        public async Task Should_send_the_gateway_that_options_payload_and_not_on_the_DM_after()
        {
            await using var rig = await ConversationRig.StartAsync();
            rig.Settings["TwitterBot:Api:Version"] = "2";
            rig.Gateway.Reactions = text => text == "a drink please"
                ? JsonNode.Parse("""[{"text":"Tea or coffee?","quick_replies":["Tea",{"title":"Coffee","payload":"COFFEE"}]}]""")!.AsArray()
                : JsonNode.Parse("""[{"text":"Enjoy"}]""")!.AsArray();
            await rig.StartProcessorAsync();

            await rig.PostAsync("1980000000000000201", "a drink please");
            await rig.X.WaitForDirectMessagesAsync(1, Patience);
            await rig.PostAsync("1980000000000000202", " 2 ");
            await rig.X.WaitForDirectMessagesAsync(2, Patience);
            await rig.PostAsync("1980000000000000203", "2");
            await rig.X.WaitForDirectMessagesAsync(3, Patience);

            var asked = rig.Gateway.Requests.Select(r => (r["text"]!.GetValue<string>(), r["extra_data"]?["twitter_quick_reply_metadata"]?.GetValue<string>())).ToList();
            Assert.That(asked, Is.EqualTo(new[] { ("a drink please", (string?)null), ("Coffee", "COFFEE"), ("2", null) }));
        }
    }
}
