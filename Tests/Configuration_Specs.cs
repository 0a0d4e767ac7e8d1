using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.Extensions.Configuration;
using TwitterBot.Processor.Conversations.Saga;
using TwitterBot.Tests.Support;

namespace TwitterBot.Tests;

/// <summary>A bad configuration stops a service at start, naming the key and never echoing a secret.</summary>
public static class Configuration_Specs
{
    private sealed class ConfiguredHost<TEntryPoint>(IDictionary<string, string?> settings) : WebApplicationFactory<TEntryPoint>
        where TEntryPoint : class
    {
        protected override void ConfigureWebHost(IWebHostBuilder builder)
        {
            builder.UseEnvironment("Testing");
            builder.ConfigureAppConfiguration(configuration => configuration.AddInMemoryCollection(settings));
        }
    }

    private static Exception StartFailure<TEntryPoint>(Action<Dictionary<string, string?>> change) where TEntryPoint : class
    {
        var settings = TestSettings.Common();
        settings["Gateway:Url"] = "http://127.0.0.1:9/";
        change(settings);
        using var host = new ConfiguredHost<TEntryPoint>(settings);
        return Assert.Throws(Is.InstanceOf<Exception>(), () => host.CreateClient())!;
    }

    public class When_the_consumer_secret_is_missing
    {
        [Test]
        public void Should_stop_the_ingress_naming_the_key() =>
            Assert.That(StartFailure<Program>(s => s["TwitterBot:Auth:ConsumerSecret"] = "").ToString(),
                Does.Contain("TwitterBot:Auth:ConsumerSecret is required."));

        [Test]
        public void Should_stop_the_processor_naming_the_key() =>
            Assert.That(StartFailure<ConversationStateMachine>(s => s["TwitterBot:Auth:ConsumerSecret"] = "").ToString(),
                Does.Contain("TwitterBot:Auth:ConsumerSecret is required."));
    }

    public class When_a_bot_has_no_user_id
    {
        [Test]
        public void Should_stop_the_ingress_naming_the_bots_key() =>
            Assert.That(StartFailure<Program>(s => s["TwitterBot:Bots:0:UserId"] = "").ToString(),
                Does.Contain("TwitterBot:Bots:0:UserId must be the account's numeric X user id."));
    }

    public class When_a_url_is_invalid
    {
        [Test]
        public void Should_stop_the_processor_naming_the_gateway_key() =>
            Assert.That(StartFailure<ConversationStateMachine>(s => s["Gateway:Url"] = "gateway.local").ToString(),
                Does.Contain("Gateway:Url must be an absolute http(s) URL."));

        [Test]
        public void Should_stop_the_processor_naming_the_x_api_key() =>
            Assert.That(StartFailure<ConversationStateMachine>(s => s["TwitterBot:Api:TwitterUrl"] = "ftp://api.twitter.com/").ToString(),
                Does.Contain("TwitterBot:Api:TwitterUrl must be an absolute http(s) URL."));
    }

    public class When_several_keys_are_wrong
    {
        [Test]
        public void Should_report_all_of_them_without_echoing_any_secret()
        {
            var failure = StartFailure<ConversationStateMachine>(s =>
            {
                s["TwitterBot:Auth:ConsumerKey"] = "";
                s["Messaging:Rabbit:Hosts:0"] = "rabbit:not-a-port";
            }).ToString();

            Assert.That(failure, Does.Contain("TwitterBot:Auth:ConsumerKey is required."));
            Assert.That(failure, Does.Contain("Messaging:Rabbit:Hosts:0 must be host:port."));
            Assert.That(failure, Does.Not.Contain(TestCredentials.ConsumerSecret).And.Not.Contain(TestCredentials.BotAccessSecret));
        }
    }
}
