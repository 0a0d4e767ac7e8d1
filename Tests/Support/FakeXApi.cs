using System.Collections.Concurrent;
using System.Text.Json.Nodes;
using System.Threading.Channels;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.Extensions;
using TwitterBot.Processor.Clients.X;

namespace TwitterBot.Tests.Support;

/// <summary>
/// X's v1.1 DM endpoint over real HTTP. It accepts a request only with a valid OAuth 1.0a user-context
/// signature (recomputed from the app's and the bot's secrets), the way X does, and records what was sent.
/// </summary>
public sealed class FakeXApi : FakeHttpServer
{
    private readonly Channel<SentDirectMessage> _sent = Channel.CreateUnbounded<SentDirectMessage>();

    /// <summary>Token secrets of the user tokens this fake X knows, by token.</summary>
    public Dictionary<string, string> UserTokens { get; } = new(StringComparer.Ordinal)
    {
        [TestSettings.BotAccessToken] = TestSettings.BotAccessSecret,
    };

    public ConcurrentQueue<string> RejectedRequests { get; } = new();

    public List<SentDirectMessage> Sent { get; } = [];

    public Uri ApiBaseAddress => new(BaseAddress, "1.1/");

    /// <summary>Waits until <paramref name="count"/> DMs have been accepted (bounded, so a broken pipeline fails).</summary>
    public async Task<IReadOnlyList<SentDirectMessage>> WaitForDirectMessagesAsync(int count, TimeSpan within)
    {
        using var timeout = new CancellationTokenSource(within);
        while (Sent.Count < count)
        {
            Sent.Add(await _sent.Reader.ReadAsync(timeout.Token));
        }

        return Sent;
    }

    protected override void Map(WebApplication app) =>
        app.MapPost("/1.1/direct_messages/events/new.json", async (HttpRequest request) =>
        {
            if (Authenticate(request) is not { } token)
            {
                return Results.Json(new { errors = new[] { new { code = 32, message = "Could not authenticate you." } } }, statusCode: 401);
            }

            var body = (await JsonNode.ParseAsync(request.Body))!;
            var create = body["event"]!["message_create"]!;
            await _sent.Writer.WriteAsync(new SentDirectMessage(
                token,
                create["target"]!["recipient_id"]!.GetValue<string>(),
                create["message_data"]!["text"]!.GetValue<string>()));
            return Results.Json(new { @event = new { type = "message_create", id = DateTime.UtcNow.Ticks.ToString(System.Globalization.CultureInfo.InvariantCulture) } });
        });

    /// <summary>The user token the request is validly signed with, or null (and the reason recorded).</summary>
    private string? Authenticate(HttpRequest request)
    {
        var header = request.Headers.Authorization.ToString();
        if (!header.StartsWith("OAuth ", StringComparison.Ordinal))
        {
            RejectedRequests.Enqueue("no OAuth authorization header");
            return null;
        }

        var oauth = header["OAuth ".Length..].Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries)
            .Select(part => part.Split('=', 2))
            .ToDictionary(kv => Uri.UnescapeDataString(kv[0]), kv => Uri.UnescapeDataString(kv[1].Trim('"')), StringComparer.Ordinal);

        if (oauth.GetValueOrDefault("oauth_consumer_key") != TestSettings.ConsumerKey
            || !oauth.TryGetValue("oauth_token", out var token)
            || !UserTokens.TryGetValue(token, out var tokenSecret)
            || !oauth.TryGetValue("oauth_signature", out var signature))
        {
            RejectedRequests.Enqueue("unknown consumer key or token");
            return null;
        }

        var requestUri = new Uri(request.GetEncodedUrl());
        var signed = oauth.Where(p => p.Key != "oauth_signature").Concat(OAuth1.QueryParameters(requestUri));
        var expected = OAuth1.Signature(new HttpMethod(request.Method), requestUri, signed, TestSettings.ConsumerSecret, tokenSecret);
        if (expected != signature)
        {
            RejectedRequests.Enqueue("signature does not match");
            return null;
        }

        return token;
    }
}

public sealed record SentDirectMessage(string SenderToken, string RecipientId, string Text);
