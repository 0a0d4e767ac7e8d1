using System.Diagnostics.Metrics;
using Microsoft.Extensions.DependencyInjection;
using TwitterBot.Contracts;
using TwitterBot.Processor.Conversations;
using TwitterBot.Tests.Support;

namespace TwitterBot.Tests.Integration;

public static class ProcessorMetrics_Specs
{
    [Category("Integration")]
    public class When_the_Processor_answers_and_fails
    {
        [Test]
        public async Task Should_count_gateway_calls_DMs_by_outcome_and_dead_letters()
        {
            await using var rig = await ConversationRig.StartAsync();
            rig.X.Override = dm => dm.RecipientId == "3001969352" ? FakeXApi.Refused(349, "You cannot send messages to this user.") : null;
            var processor = await rig.StartProcessorAsync();
            using var metrics = new MeasuredMetrics(processor.Services.GetRequiredService<IMeterFactory>(), ProcessorTelemetry.Name);
            var consumed = processor.CountConsumed<DirectMessageReceived>();

            await rig.PostAsync("1900000000000000001", "hello", "3001969351");
            await rig.PostAsync("1900000000000000002", "hello", "3001969352");
            await consumed.WaitForAsync(2, ConversationRig.Patience);

            Assert.That(metrics.Totals, Does.ContainKey("twitterbot.processor.direct_messages{outcome=sent}").WithValue(1L)
                .And.ContainKey("twitterbot.processor.direct_messages{outcome=rejected}").WithValue(1L)
                .And.ContainKey("twitterbot.processor.gateway.duration{outcome=answered}").WithValue(2L));
        }

        [Test]
        public async Task Should_count_messages_moved_to_error()
        {
            await using var rig = await ConversationRig.StartAsync();
            rig.Settings["TwitterBot:Bots:0:UserId"] = "999999"; // the Processor does not know the bot: no retry, straight to _error
            var processor = new ProcessorFactory(rig.Settings);
            await using var _ = processor;
            await processor.WaitUntilReadyAsync(ConversationRig.Patience);
            using var metrics = new MeasuredMetrics(processor.Services.GetRequiredService<IMeterFactory>(), ProcessorTelemetry.Name);
            var consumed = processor.CountConsumed<DirectMessageReceived>();
            rig.Settings["TwitterBot:Bots:0:UserId"] = TestCredentials.BotUserId; // the Ingress knows it

            await rig.PostAsync("1900000000000000003", "lost");
            await consumed.WaitForAsync(1, ConversationRig.Patience);
            // The counting observer may hear of the fault before the one that counts dead letters.
            await metrics.WaitForAsync("twitterbot.processor.dead_lettered{message.type=DirectMessageReceived}", 1, ConversationRig.Patience);

            Assert.That(metrics.Totals, Does.ContainKey("twitterbot.processor.dead_lettered{message.type=DirectMessageReceived}").WithValue(1L));
        }
    }
}
