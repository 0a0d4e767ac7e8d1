using System.Net.Http.Headers;
using System.Text;
using MassTransit;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.AspNetCore.TestHost;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using TwitterBot.Conventions.Webhooks;
using TwitterBot.Ingress.Webhooks;

namespace TwitterBot.Tests.Support;

/// <summary>
/// The real Ingress in memory. With <c>useTestHarness</c> MassTransit's test harness replaces RabbitMQ;
/// otherwise it publishes to the broker its settings name. It runs as the <c>Testing</c> environment unless
/// told otherwise (<c>Development</c> throws on bad requests and shows the developer exception page).
/// </summary>
public sealed class IngressFactory(IDictionary<string, string?> settings, bool useTestHarness, string environment = "Testing") : WebApplicationFactory<Program>
{
    public CapturedLogs Logs { get; } = new();

    /// <summary>The spans the Ingress's pipeline exports (its listeners are process-wide: they see every host's spans of the sources it names).</summary>
    public CapturedSpans Spans { get; } = new();

    protected override void ConfigureWebHost(IWebHostBuilder builder)
    {
        builder.UseEnvironment(environment);
        builder.ConfigureAppConfiguration(configuration => configuration.AddInMemoryCollection(settings));
        builder.ConfigureLogging(logging => logging.AddProvider(Logs));
        builder.ConfigureServices(Spans.ExportFrom);
        if (useTestHarness)
        {
            builder.ConfigureTestServices(services => services.AddMassTransitTestHarness());
        }
    }

    /// <summary>POSTs a body to /webhooks signed the way X signs it (or with the given header).</summary>
    public async Task<HttpResponseMessage> PostWebhookAsync(byte[] body, string? signature = null, bool sign = true)
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, "/webhooks") { Content = new ByteArrayContent(body) };
        request.Content.Headers.ContentType = new MediaTypeHeaderValue("application/json");
        if (sign)
        {
            request.Headers.TryAddWithoutValidation(WebhookSigner.SignatureHeader,
                signature ?? new WebhookSigner(TestCredentials.ConsumerSecret).Sign(body));
        }

        return await CreateClient().SendAsync(request);
    }

    public Task<HttpResponseMessage> PostWebhookAsync(string json) => PostWebhookAsync(Encoding.UTF8.GetBytes(json));

    /// <summary>A signed DM from <paramref name="senderId"/> to the test bot, as X's sample with another event id.</summary>
    public static byte[] DirectMessage(string eventId, string senderId = "3001969357", string text = "Hello World!")
    {
        var sample = System.Text.Json.Nodes.JsonNode.Parse(XSamples.Text(XSamples.DirectMessage))!;
        var dm = sample["direct_message_events"]![0]!;
        dm["id"] = eventId;
        dm["message_create"]!["sender_id"] = senderId;
        dm["message_create"]!["message_data"]!["text"] = text;
        return Encoding.UTF8.GetBytes(sample.ToJsonString());
    }
}
