using System.Collections.Concurrent;
using System.Diagnostics;
using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;

namespace TwitterBot.Benchmarks;

/// <summary>
/// A gateway and an X that answer at once, so that the Processor is what is measured. X records when each
/// DM send started to arrive, by recipient. (Unlike the specs' fake X, this one does not verify OAuth.)
/// </summary>
/// <param name="sendDirectMessage">
/// Answers a DM send instead (the request, its parsed body, the Stopwatch timestamp it arrived at), for an X with
/// rules of its own; <see cref="DeliveredAt"/> is then not kept.
/// </param>
public sealed class FastFakes(Func<HttpContext, JsonNode, long, IResult>? sendDirectMessage = null) : IAsyncDisposable
{
    private static readonly byte[] GatewayAnswer = """{"current_state":{"id":"1","name":"say:echo"},"responses":[{"text":"Thanks, noted.","quick_replies":[],"attachments":[]}]}"""u8.ToArray();

    private WebApplication? _app;

    public Uri BaseAddress { get; private set; } = null!;

    /// <summary>Stopwatch timestamp at which X received the DM for each recipient.</summary>
    public ConcurrentDictionary<string, long> DeliveredAt { get; } = new();

    public async Task StartAsync()
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.WebHost.UseUrls("http://127.0.0.1:0");
        builder.Logging.ClearProviders();
        _app = builder.Build();
        _app.MapPost("/gateway", async (HttpContext context) =>
        {
            context.Response.ContentType = "application/json";
            await context.Response.Body.WriteAsync(GatewayAnswer);
        });
        _app.MapPost("/1.1/direct_messages/events/new.json", async (HttpContext context) =>
        {
            var at = Stopwatch.GetTimestamp();
            var body = (await JsonNode.ParseAsync(context.Request.Body))!;
            if (sendDirectMessage is not null)
            {
                return sendDirectMessage(context, body, at);
            }

            DeliveredAt.TryAdd(body["event"]!["message_create"]!["target"]!["recipient_id"]!.GetValue<string>(), at);
            return Results.Json(new { @event = new { id = "1", type = "message_create" } });
        });
        _app.MapPost("/1.1/direct_messages/indicate_typing.json", () => Results.NoContent());
        await _app.StartAsync();
        BaseAddress = new Uri(_app.Urls.Single() + "/");
    }

    public async ValueTask DisposeAsync()
    {
        if (_app is not null)
        {
            await _app.DisposeAsync();
        }
    }
}
