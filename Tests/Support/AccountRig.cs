using System.Net;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using TwitterBot.Processor.CommandLine;

namespace TwitterBot.Tests.Support;

/// <summary>
/// What the X account specs need: a fake X over HTTP, and the real Ingress listening on a loopback port as
/// its public webhook URL, so that X's CRC challenges travel over real HTTP. The commands run in process.
/// </summary>
public sealed class AccountRig : IAsyncDisposable
{
    private AccountRig(FakeXApi x, IngressFactory ingress, string webhookUrl)
    {
        X = x;
        Ingress = ingress;
        WebhookUrl = webhookUrl;
    }

    public FakeXApi X { get; }

    public IngressFactory Ingress { get; }

    public string WebhookUrl { get; }

    /// <param name="ingressConsumerSecret">The Ingress's secret; another than X's makes every CRC fail.</param>
    public static async Task<AccountRig> StartAsync(string ingressConsumerSecret = TestCredentials.ConsumerSecret)
    {
        var x = new FakeXApi();
        await x.StartAsync();
        var settings = TestSettings.Common();
        settings["TwitterBot:Auth:ConsumerSecret"] = ingressConsumerSecret;
        var ingress = new IngressFactory(settings, useTestHarness: true);
        ingress.UseKestrel(kestrel => kestrel.Listen(IPAddress.Loopback, 0));
        ingress.StartServer();
        var address = ingress.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.Single();
        return new AccountRig(x, ingress, $"{address}/webhooks");
    }

    /// <summary>The Processor's configuration for the given flavour: <c>premium</c>, <c>enterprise</c> or <c>v2</c>.</summary>
    public Dictionary<string, string?> Settings(string flavor = "premium")
    {
        var settings = TestSettings.Common();
        settings["TwitterBot:Auth:BearerToken"] = TestCredentials.BearerToken;
        settings["TwitterBot:Auth:DefaultAccessToken"] = TestCredentials.OwnerAccessToken;
        settings["TwitterBot:Auth:DefaultAccessSecret"] = TestCredentials.OwnerAccessSecret;
        settings["TwitterBot:Bots:1:UserId"] = TestCredentials.SecondBotUserId;
        settings["TwitterBot:Bots:1:BotId"] = "bot-project-2";
        settings["TwitterBot:Bots:1:AccessToken"] = TestCredentials.SecondBotAccessToken;
        settings["TwitterBot:Bots:1:AccessSecret"] = TestCredentials.SecondBotAccessSecret;
        settings["TwitterBot:Api:TwitterUrl"] = X.ApiBaseAddress.ToString();
        settings["TwitterBot:Api:WebhookUrl"] = WebhookUrl;
        settings["TwitterBot:Api:EnvName"] = flavor == "premium" ? TestCredentials.EnvName : "";
        settings["TwitterBot:Api:Version"] = flavor == "v2" ? "2" : "1.1";
        settings["Gateway:Url"] = "http://127.0.0.1:9/";
        settings["Processor:Reconciliation:IngressWait"] = "00:00:05";
        return settings;
    }

    /// <summary>The Processor in memory (in-memory store) with this rig's enterprise settings, ready.</summary>
    public async Task<ProcessorFactory> StartProcessorAsync(RabbitMqVirtualHost broker, Action<Dictionary<string, string?>>? adjust = null)
    {
        var settings = Settings("enterprise");
        settings["Messaging:Rabbit:VirtualHost"] = broker.Name;
        settings["Processor:Store:Kind"] = "InMemory";
        adjust?.Invoke(settings);
        var processor = new ProcessorFactory(settings);
        await processor.WaitUntilReadyAsync(TimeSpan.FromSeconds(60));
        return processor;
    }

    /// <summary>Runs one command line as an operator would; returns its exit code and everything it printed.</summary>
    public static async Task<(int ExitCode, string Output)> RunAsync(IDictionary<string, string?> settings, params string[] args)
    {
        var configuration = new ConfigurationBuilder().AddInMemoryCollection(settings).Build();
        await using var output = new StringWriter();
        var exitCode = await ProcessorCommandLine.RunAsync(args, configuration, output);
        TestContext.Out.WriteLine($"$ {string.Join(' ', args)}  → {exitCode}\n{output}");
        return (exitCode, output.ToString());
    }

    public async ValueTask DisposeAsync()
    {
        await Ingress.DisposeAsync();
        await X.DisposeAsync();
    }
}
