using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using TwitterBot.Processor.Extensions;
using TwitterBot.Processor.XAccount;
using TwitterBot.Tests.Support;

namespace TwitterBot.Tests.XAccount;

/// <summary>The Account Activity client as the Processor's DI builds it: Refit's generated client, signed by our handler.</summary>
[Category("Integration")]
public static class XAccountActivityClient_Specs
{
    public class When_the_client_comes_from_DI
    {
        [TestCase("premium")]
        [TestCase("enterprise")]
        [TestCase("v2")]
        public async Task Should_be_the_generated_Refit_client_and_read_Xs_webhooks_signed_as_X_expects(string flavor)
        {
            await using var rig = await AccountRig.StartAsync();
            var ours = rig.X.AddWebhook(rig.WebhookUrl);
            using var host = Build(rig.Settings(flavor));

            var api = host.Services.GetRequiredService<IXAccountActivityApi>();
            var webhooks = await host.Services.GetRequiredService<XAccountActivityClient>().ListWebhooksAsync(CancellationToken.None);

            Assert.That(api.GetType().Assembly, Is.EqualTo(typeof(IXAccountActivityApi).Assembly), "generated at build time into the Processor, not built by reflection");
            Assert.That(webhooks.Select(w => (w.Id, w.Url, w.Valid)), Is.EqualTo(new[] { (ours.Id, rig.WebhookUrl, true) }));
            Assert.That(rig.X.RejectedRequests, Is.Empty, "signed with the bearer token as X expects");
        }
    }

    public class When_X_cannot_be_reached
    {
        [Test]
        public async Task Should_throw_the_networks_own_exception_so_that_the_advice_names_TwitterUrl()
        {
            await using var rig = await AccountRig.StartAsync();
            var settings = rig.Settings("enterprise");
            settings["TwitterBot:Api:TwitterUrl"] = "http://127.0.0.1:9/1.1/";

            var (exitCode, output) = await AccountRig.RunAsync(settings, "webhooks", "list");

            Assert.That(exitCode, Is.EqualTo(1), output);
            Assert.That(output, Does.Contain("X's API could not be reached").And.Contain("Check TwitterBot:Api:TwitterUrl"));
        }
    }

    private static IHost Build(Dictionary<string, string?> settings)
    {
        var builder = Host.CreateEmptyApplicationBuilder(new HostApplicationBuilderSettings { DisableDefaults = true });
        builder.Configuration.AddInMemoryCollection(settings);
        builder.AddProcessorOptions();
        builder.AddApiClients();
        builder.AddXAccountClients();
        return builder.Build();
    }
}
