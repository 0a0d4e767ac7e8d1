using Microsoft.Extensions.Logging;
using TwitterBot.Contracts;
using TwitterBot.Tests.Support;

namespace TwitterBot.Tests.Integration;

public static class InMemoryStore_Specs
{
    [Category("Integration")]
    public class When_the_Processor_runs_with_the_in_memory_store
    {
        [Test]
        public async Task Should_warn_at_start_that_it_is_for_one_replica_and_still_answer_once_per_event()
        {
            await using var rig = await ConversationRig.StartAsync();
            rig.Settings["Processor:Store:Kind"] = "InMemory";
            var processor = await rig.StartProcessorAsync();
            var consumed = processor.CountConsumed<DirectMessageReceived>();

            await rig.PostAsync("1880000000000000001", "hi");
            await rig.PostAsync("1880000000000000001", "hi");
            await consumed.WaitForAsync(2, ConversationRig.Patience);

            Assert.That(processor.Logs.Messages(LogLevel.Warning), Has.One.Contains("Run ONE Processor replica"));
            Assert.That(rig.X.Attempts, Has.Count.EqualTo(1));
            Assert.That(await rig.Store.ScalarAsync<long>("SELECT count(*) FROM pg_tables WHERE tablename = 'conversation_turns'"), Is.Zero,
                "nothing was written to PostgreSQL");
        }
    }
}
