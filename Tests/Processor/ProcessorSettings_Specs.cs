using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.Options;
using TwitterBot.Processor.Options;
using TwitterBot.ServiceDefaults;

namespace TwitterBot.Tests.Processor;

/// <summary>
/// The <c>Processor</c> section's parts are validated each by its own validator, and every message still names the
/// full key under <c>Processor</c>.
/// </summary>
public static class ProcessorSettings_Specs
{
    private static ProcessorOptions Read(params (string Key, string Value)[] settings)
    {
        var values = new Dictionary<string, string?> { ["Processor:Store:ConnectionString"] = "Host=127.0.0.1" };
        foreach (var (key, value) in settings)
        {
            values[key] = value;
        }

        return new ConfigurationBuilder().AddInMemoryCollection(values).Build()
            .GetValidated<ProcessorOptions, ProcessorOptionsValidator>(ProcessorOptions.Section);
    }

    public class When_every_part_is_valid
    {
        [Test]
        public void Should_bind_each_part() =>
            Assert.That(Read(("Processor:Store:Kind", "InMemory"), ("Processor:Replies:PauseBetween", "00:00:02"), ("Processor:Reconciliation:Enabled", "false")),
                Has.Property(nameof(ProcessorOptions.Store)).Property(nameof(ConversationStoreOptions.Kind)).EqualTo(ConversationStoreOptions.InMemory)
                    .And.Property(nameof(ProcessorOptions.Replies)).Property(nameof(RepliesOptions.PauseBetween)).EqualTo(TimeSpan.FromSeconds(2))
                    .And.Property(nameof(ProcessorOptions.Reconciliation)).Property(nameof(ReconciliationOptions.Enabled)).False);
    }

    public class When_a_part_is_invalid
    {
        [TestCase("Processor:Store:Kind", "Sqlite", "Processor:Store:Kind must be Postgres or InMemory.")]
        [TestCase("Processor:Store:ConnectionString", "", "Processor:Store:ConnectionString is required.")]
        [TestCase("Processor:Store:TurnRetention", "4.00:00:00", "Processor:Store:TurnRetention must be at least 5 days")]
        [TestCase("Processor:Replies:PauseBetween", "00:02:00", "Processor:Replies:PauseBetween must be between 00:00:00 and 00:01:00.")]
        [TestCase("Processor:Replies:MaxRateLimitWait", "00:21:00", "Processor:Replies:MaxRateLimitWait must be between 00:00:00 and 00:20:00")]
        [TestCase("Processor:Reconciliation:IngressWait", "00:00:00", "Processor:Reconciliation:IngressWait must be a positive duration")]
        [TestCase("Processor:Reconciliation:MaxBackoff", "00:00:00.5", "Processor:Reconciliation:MaxBackoff must be at least 00:00:01.")]
        public void Should_refuse_it_naming_the_key(string key, string value, string message) =>
            Assert.That(() => Read((key, value)), Throws.InstanceOf<OptionsValidationException>().With.Message.Contains(message));
    }
}
