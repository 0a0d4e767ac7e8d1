using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using TwitterBot.Processor.Options;

namespace TwitterBot.Tests.Processor;

/// <summary>Every gateway setting is read from the <c>Gateway</c> section; the keys they had before still work.</summary>
public static class GatewaySettings_Specs
{
    private static GatewayOptions Read(params (string Key, string Value)[] settings)
    {
        var values = new Dictionary<string, string?> { ["Gateway:Url"] = "http://gateway.example/" };
        foreach (var (key, value) in settings)
        {
            values[key] = value;
        }

        using var services = new ServiceCollection()
            .AddSingleton<IConfiguration>(new ConfigurationBuilder().AddInMemoryCollection(values).Build())
            .AddGatewayOptions()
            .BuildServiceProvider();
        return services.GetRequiredService<IOptions<GatewayOptions>>().Value;
    }

    public class When_only_the_new_keys_are_set
    {
        [Test]
        public void Should_read_them() =>
            Assert.That(Read(("Gateway:Timeout", "00:00:07"), ("Gateway:SendStartOnNewSession", "true"), ("Gateway:SessionTimeout", "00:30:00")),
                Has.Property(nameof(GatewayOptions.Timeout)).EqualTo(TimeSpan.FromSeconds(7))
                    .And.Property(nameof(GatewayOptions.SendStartOnNewSession)).True
                    .And.Property(nameof(GatewayOptions.SessionTimeout)).EqualTo(TimeSpan.FromMinutes(30)));

        [Test]
        public void Should_default_what_is_unset() =>
            Assert.That(Read(),
                Has.Property(nameof(GatewayOptions.Timeout)).EqualTo(TimeSpan.FromSeconds(15))
                    .And.Property(nameof(GatewayOptions.SendStartOnNewSession)).False
                    .And.Property(nameof(GatewayOptions.SessionTimeout)).EqualTo(TimeSpan.FromHours(1)));
    }

    public class When_only_the_older_keys_are_set
    {
        [Test]
        public void Should_honour_the_seeds_timeout_and_the_Processor_section_session_keys() =>
            Assert.That(Read(("TwitterBot:WebhooksMessaging:MessageTimeout", "00:00:04"), ("Processor:Gateway:SendStartOnNewSession", "true"), ("Processor:Gateway:SessionTimeout", "00:20:00")),
                Has.Property(nameof(GatewayOptions.Timeout)).EqualTo(TimeSpan.FromSeconds(4))
                    .And.Property(nameof(GatewayOptions.SendStartOnNewSession)).True
                    .And.Property(nameof(GatewayOptions.SessionTimeout)).EqualTo(TimeSpan.FromMinutes(20)));
    }

    public class When_an_older_and_a_newer_key_are_both_set
    {
        [Test]
        public void Should_take_the_newer() =>
            Assert.That(Read(
                    ("TwitterBot:WebhooksMessaging:MessageTimeout", "00:00:04"), ("Gateway:Timeout", "00:00:09"),
                    ("Processor:Gateway:SendStartOnNewSession", "true"), ("Gateway:SendStartOnNewSession", "false"),
                    ("Processor:Gateway:SessionTimeout", "00:20:00"), ("Gateway:SessionTimeout", "02:00:00")),
                Has.Property(nameof(GatewayOptions.Timeout)).EqualTo(TimeSpan.FromSeconds(9))
                    .And.Property(nameof(GatewayOptions.SendStartOnNewSession)).False
                    .And.Property(nameof(GatewayOptions.SessionTimeout)).EqualTo(TimeSpan.FromHours(2)));
    }

    public class When_a_gateway_setting_is_invalid
    {
        [TestCase("Gateway:Url", "not a url", "Gateway:Url must be an absolute http(s) URL.")]
        [TestCase("Gateway:Timeout", "00:00:00", "Gateway:Timeout must be a positive duration")]
        [TestCase("TwitterBot:WebhooksMessaging:MessageTimeout", "-00:00:01", "Gateway:Timeout must be a positive duration")]
        [TestCase("Processor:Gateway:SessionTimeout", "00:00:00", "Gateway:SessionTimeout must be a positive duration")]
        public void Should_refuse_it_naming_the_key(string key, string value, string message) =>
            Assert.That(() => Read((key, value)), Throws.InstanceOf<OptionsValidationException>().With.Message.Contains(message));
    }
}
