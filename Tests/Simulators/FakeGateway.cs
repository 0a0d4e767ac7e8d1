using System.Collections.Concurrent;
using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;

namespace TwitterBot.Simulators;

/// <summary>
/// The chatbot gateway's contract over real HTTP: answers every <c>POST /gateway</c> with the replies
/// <see cref="Answer"/> computes from the user's text, and records each request body.
/// </summary>
public sealed class FakeGateway : FakeHttpServer
{
    public ConcurrentQueue<JsonObject> Requests { get; } = new();

    public Func<string, IReadOnlyList<string>> Answer { get; set; } = text => [$"You said: {text}"];

    /// <summary>When set, the bot's whole <c>responses</c> array for a text (quick replies, commands, …).</summary>
    public Func<string, JsonArray>? Reactions { get; set; }

    /// <summary>Answers a request instead of the bot when it returns a result (an outage, say).</summary>
    public Func<JsonObject, IResult?> Override { get; set; } = _ => null;

    /// <summary>The texts the gateway was asked about, in arrival order, failed attempts included.</summary>
    public IReadOnlyList<string> AskedTexts => Requests.Select(r => r["text"]!.GetValue<string>()).ToList();

    /// <summary>The bytes of the PNG served at <c>media/cat.png</c>, for bots that attach media.</summary>
    public static readonly byte[] CatPicture = [0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A, .. Enumerable.Range(0, 5000).Select(i => (byte)i)];

    public Uri CatPictureUrl => new(BaseAddress, "media/cat.png");

    /// <summary>A PNG whose first bytes come at once and the rest never (the server gives up after two minutes).</summary>
    public Uri StalledPictureUrl => new(BaseAddress, "media/stalled.png");

    /// <summary>A redirect (302) to <paramref name="location"/>.</summary>
    public Uri RedirectTo(string location) => new(BaseAddress, $"media/redirect?to={Uri.EscapeDataString(location)}");

    protected override void Map(WebApplication app)
    {
        app.MapGet("/media/cat.png", () => Results.Bytes(CatPicture, "image/png"));
        app.MapGet("/media/stalled.png", async (HttpContext context) =>
        {
            context.Response.ContentType = "image/png";
            await context.Response.Body.WriteAsync(CatPicture.AsMemory(0, 16));
            await context.Response.Body.FlushAsync();
            try
            {
                await Task.Delay(TimeSpan.FromMinutes(2), context.RequestAborted);
            }
            catch (OperationCanceledException)
            {
                // The reader gave up, as it should.
            }
        });
        app.MapGet("/media/redirect", (string to) => Results.Redirect(to));
        MapGateway(app);
    }

    private void MapGateway(WebApplication app) =>
        app.MapPost("/gateway", async (HttpRequest request) =>
        {
            var body = (await JsonNode.ParseAsync(request.Body))!.AsObject();
            Requests.Enqueue(body);
            if (Override(body) is { } answer)
            {
                return answer;
            }

            var text = body["text"]!.GetValue<string>();
            var replies = Reactions?.Invoke(text) ?? new JsonArray(Answer(text)
                .Select(text => (JsonNode)new JsonObject { ["text"] = text, ["quick_replies"] = new JsonArray(), ["attachments"] = new JsonArray() })
                .ToArray());
            return Results.Json(new JsonObject
            {
                ["current_state"] = new JsonObject { ["context"] = "Context", ["id"] = Guid.NewGuid().ToString(), ["name"] = "say:reply" },
                ["responses"] = replies,
            });
        });
}
