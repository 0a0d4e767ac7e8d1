using System.Collections.Concurrent;
using System.Globalization;
using System.Net;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json.Nodes;
using TwitterBot.Conventions.Webhooks;

namespace TwitterBot.Simulators;

/// <summary>One POST of a delivery to the webhook, and how it ended.</summary>
public sealed record DeliveryAttempt(string EventId, int Attempt, HttpStatusCode? Status, string? Failure);

/// <summary>
/// X's side of the webhook: posts Account Activity events to the Ingress signed with the consumer secret
/// (<c>x-twitter-webhooks-signature</c>), treats anything but a 200 within 3 s as a failure, and retries on
/// its schedule. Duplicates are a second <see cref="DeliverAsync"/> of the same body.
/// </summary>
public sealed class XWebhookSender(Uri webhookUrl, SimulatedApp app) : IDisposable
{
    /// <summary>X waits this long for the 200.</summary>
    public static readonly TimeSpan AnswerTimeout = TimeSpan.FromSeconds(3);

    /// <summary>X's documented behaviour: a failed delivery is retried three times within about five minutes.</summary>
    public static readonly IReadOnlyList<TimeSpan> XRetrySchedule = [TimeSpan.FromSeconds(30), TimeSpan.FromMinutes(1), TimeSpan.FromMinutes(3)];

    private readonly HttpClient _http = new() { Timeout = AnswerTimeout };
    private readonly WebhookSigner _signer = new(app.ConsumerSecret);

    /// <summary>Pauses before each retry; specs compress X's schedule.</summary>
    public IReadOnlyList<TimeSpan> RetrySchedule { get; init; } = XRetrySchedule;

    public ConcurrentQueue<DeliveryAttempt> Attempts { get; } = new();

    /// <returns>True when the Ingress answered 200 to some attempt; false when X would give up.</returns>
    public async Task<bool> DeliverAsync(string eventId, byte[] body, CancellationToken cancellationToken = default)
    {
        for (var attempt = 0; ; attempt++)
        {
            var (status, failure) = await PostAsync(body, cancellationToken);
            Attempts.Enqueue(new DeliveryAttempt(eventId, attempt + 1, status, failure));
            if (status == HttpStatusCode.OK)
            {
                return true;
            }

            if (attempt >= RetrySchedule.Count)
            {
                return false;
            }

            await Task.Delay(RetrySchedule[attempt], cancellationToken);
        }
    }

    private async Task<(HttpStatusCode? Status, string? Failure)> PostAsync(byte[] body, CancellationToken cancellationToken)
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, webhookUrl) { Content = new ByteArrayContent(body) };
        request.Content.Headers.ContentType = new MediaTypeHeaderValue("application/json");
        request.Headers.TryAddWithoutValidation(WebhookSigner.SignatureHeader, _signer.Sign(body));
        try
        {
            using var response = await _http.SendAsync(request, cancellationToken);
            return (response.StatusCode, null);
        }
        catch (Exception failure) when (failure is HttpRequestException or TaskCanceledException && !cancellationToken.IsCancellationRequested)
        {
            return (null, failure.Message);
        }
    }

    /// <summary>
    /// A <c>direct_message_events</c> delivery (Account Activity API) of one DM from a user to the bot, as X
    /// sends it, optionally answering a quick-reply option.
    /// </summary>
    public static byte[] DirectMessage(string botUserId, string eventId, SimulatedUser sender, string text, string? quickReplyMetadata = null, DateTimeOffset? createdAt = null)
    {
        var data = new JsonObject { ["text"] = text, ["entities"] = new JsonObject { ["hashtags"] = new JsonArray(), ["symbols"] = new JsonArray(), ["user_mentions"] = new JsonArray(), ["urls"] = new JsonArray() } };
        if (quickReplyMetadata is not null)
        {
            data["quick_reply_response"] = new JsonObject { ["type"] = "options", ["metadata"] = quickReplyMetadata };
        }

        var delivery = new JsonObject
        {
            ["for_user_id"] = botUserId,
            ["direct_message_events"] = new JsonArray(new JsonObject
            {
                ["type"] = "message_create",
                ["id"] = eventId,
                ["created_timestamp"] = (createdAt ?? DateTimeOffset.UtcNow).ToUnixTimeMilliseconds().ToString(CultureInfo.InvariantCulture),
                ["message_create"] = new JsonObject
                {
                    ["target"] = new JsonObject { ["recipient_id"] = botUserId },
                    ["sender_id"] = sender.UserId,
                    ["message_data"] = data,
                },
            }),
            ["users"] = new JsonObject
            {
                [sender.UserId] = new JsonObject { ["id"] = sender.UserId, ["name"] = sender.Name, ["screen_name"] = sender.ScreenName },
                [botUserId] = new JsonObject { ["id"] = botUserId, ["name"] = "Bot", ["screen_name"] = "bot" },
            },
        };
        return Encoding.UTF8.GetBytes(delivery.ToJsonString());
    }

    public void Dispose() => _http.Dispose();
}

/// <summary>A person writing to the bot.</summary>
public sealed record SimulatedUser(string UserId, string Name, string ScreenName);
