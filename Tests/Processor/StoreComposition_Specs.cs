using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using TwitterBot.Processor.Conversations;
using TwitterBot.Processor.Extensions;
using TwitterBot.Tests.Support;

namespace TwitterBot.Tests.Processor;

public static class StoreComposition_Specs
{
    /// <summary>The store's kind, chosen once when the Processor is composed: every part of the store follows it.</summary>
    public class When_the_Processor_is_composed_with_a_store_kind
    {
        [TestCase("Postgres", typeof(PostgresTurnLedger), typeof(PostgresBotThrottles), typeof(PostgresConversationStorage))]
        [TestCase("InMemory", typeof(InMemoryTurnLedger), typeof(InMemoryBotThrottles), typeof(InMemoryConversationStorage))]
        public void Should_give_the_ledger_the_throttles_and_the_storage_of_that_kind(string kind, Type ledger, Type throttles, Type storage)
        {
            var builder = Host.CreateApplicationBuilder(new HostApplicationBuilderSettings { EnvironmentName = "Testing", DisableDefaults = true });
            var settings = TestSettings.Common();
            settings["Processor:Store:Kind"] = kind;
            builder.Configuration.AddInMemoryCollection(settings);
            builder.AddProcessorOptions();
            builder.AddConversations();
            using var services = builder.Services.BuildServiceProvider();

            Assert.Multiple(() =>
            {
                Assert.That(services.GetRequiredService<ITurnLedger>(), Is.TypeOf(ledger));
                Assert.That(services.GetRequiredService<IBotThrottles>(), Is.TypeOf(throttles));
                Assert.That(services.GetRequiredService<IConversationStorage>(), Is.TypeOf(storage));
            });
        }
    }
}
