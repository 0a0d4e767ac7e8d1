using System.Globalization;
using TwitterBot.Contracts;
using TwitterBot.ServiceDefaults;

namespace TwitterBot.Ingress.Webhooks;

/// <summary>
/// Turns one webhook delivery into the messages to publish: one <see cref="DirectMessageReceived"/> per
/// <c>message_create</c> sent to a configured bot by someone else. Everything else is counted as ignored.
/// </summary>
public sealed class WebhookEventTranslator(BotAccounts bots, TimeProvider time)
{
    public WebhookTranslation Translate(AccountActivityEvent delivery)
    {
        var messages = new List<DirectMessageReceived>();
        var ignored = 0;
        foreach (var dm in delivery.DirectMessageEvents ?? [])
        {
            if (ToMessage(delivery, dm) is { } message)
            {
                messages.Add(message);
            }
            else
            {
                ignored++;
            }
        }

        return new WebhookTranslation(messages, ignored);
    }

    private DirectMessageReceived? ToMessage(AccountActivityEvent delivery, DirectMessageEvent dm)
    {
        if (dm is not { Type: "message_create", Id: { } eventId, MessageCreate: { SenderId: { } senderId } create })
        {
            return null;
        }

        var bot = bots.Find(delivery.ForUserId ?? create.Target?.RecipientId);
        if (bot?.UserId is not { } botUserId || senderId == botUserId)
        {
            return null; // not one of our accounts, or the bot's own echo
        }

        var sender = delivery.Users?.GetValueOrDefault(senderId);
        return new DirectMessageReceived
        {
            EventId = eventId,
            BotUserId = botUserId,
            BotId = bot.BotId!,
            SenderId = senderId,
            SenderName = sender?.Name,
            SenderScreenName = sender?.ScreenName,
            Text = create.MessageData?.Text ?? string.Empty,
            CreatedAt = ParseTimestamp(dm.CreatedTimestamp) ?? time.GetUtcNow(),
            QuickReplyMetadata = create.MessageData?.QuickReplyResponse?.Metadata,
        };
    }

    private static DateTimeOffset? ParseTimestamp(string? unixMilliseconds) =>
        long.TryParse(unixMilliseconds, NumberStyles.None, CultureInfo.InvariantCulture, out var ms)
            ? DateTimeOffset.FromUnixTimeMilliseconds(ms)
            : null;
}

public sealed record WebhookTranslation(IReadOnlyList<DirectMessageReceived> Messages, int Ignored);
