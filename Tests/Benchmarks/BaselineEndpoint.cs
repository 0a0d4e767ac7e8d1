using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;

namespace TwitterBot.Benchmarks;

/// <summary>
/// Issue 16's baseline for the Ingress's own cost: a minimal ASP.NET Core endpoint on its own Kestrel that
/// reads the raw body and publishes it with confirms through the same MassTransit bus setup and topology as
/// <see cref="Baseline"/>, answering 200 once confirmed. No signature check, no JSON, no contract building.
/// </summary>
public sealed class BaselineEndpoint(Baseline baseline) : IAsyncDisposable
{
    private WebApplication? _app;
    private int _next;

    public Uri Webhook { get; private set; } = null!;

    public async Task StartAsync()
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.WebHost.UseUrls("http://127.0.0.1:0");
        builder.Logging.ClearProviders();
        _app = builder.Build();
        _app.MapPost("/webhooks", async (HttpRequest request) =>
        {
            using var body = new MemoryStream(request.ContentLength is { } length ? (int)length : 4096);
            await request.Body.CopyToAsync(body);
            await baseline.PublishRawAsync(body.GetBuffer().AsMemory(0, (int)body.Length), Interlocked.Increment(ref _next));
            return Results.Ok();
        });
        await _app.StartAsync();
        Webhook = new Uri(_app.Urls.Single() + "/webhooks");
    }

    public async ValueTask DisposeAsync()
    {
        if (_app is not null)
        {
            await _app.DisposeAsync();
        }
    }
}
