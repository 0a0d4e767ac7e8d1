using TwitterBot.Contracts;
using TwitterBot.Processor.Replies;
using TwitterBot.Processor.Text;

namespace TwitterBot.Processor.Clients.Gateway;

/// <summary>How an X Direct Message maps onto the gateway contract (README, "Gateway mapping").</summary>
public static class GatewayRequests
{
    public const string SourceType = "twitter";

    /// <summary>The text that begins a conversation and returns the bot's welcome message.</summary>
    public const string StartText = "START";
    private const int MaxAuthorLength = 128;

    public static GatewayRequest For(DirectMessageReceived message)
    {
        var extra = new Dictionary<string, string>(StringComparer.Ordinal)
        {
            ["twitter_sender_id"] = message.SenderId,
            ["twitter_event_id"] = message.EventId,
        };
        if (message.SenderScreenName is { } screenName)
        {
            extra["twitter_screen_name"] = screenName;
        }

        if (message.QuickReplyMetadata is { } metadata)
        {
            extra["twitter_quick_reply_metadata"] = metadata;
        }

        if (message.Media is { } media)
        {
            extra["twitter_media_url"] = media.Url;
            extra["twitter_media_type"] = media.Type;
        }

        if (message.Urls.Count > 0)
        {
            extra["twitter_urls"] = string.Join(' ', message.Urls);
        }

        return new GatewayRequest(
            Text: message.Text,
            Author: Author(message),
            Uuid: message.BotId,
            Suid: SessionId(message.BotUserId, message.SenderId),
            SourceType: SourceType,
            ExtraData: extra);
    }

    /// <summary>
    /// A DM that picked one of the options the bot offered by its number or label (X DM v2 has no quick replies),
    /// as a v1.1 quick-reply pick arrives: the option's label as the text, its payload as
    /// <c>twitter_quick_reply_metadata</c> (when it has one).
    /// </summary>
    public static DirectMessageReceived Picking(DirectMessageReceived message, QuickReplyOption option) =>
        message with { Text = option.Label, QuickReplyMetadata = option.Metadata ?? message.QuickReplyMetadata };

    /// <summary>One gateway session per conversation (bot account × X user); at most 49 characters.</summary>
    public static string SessionId(string botUserId, string senderId) => $"twitter-{botUserId}-{senderId}";

    private static string Author(DirectMessageReceived message)
    {
        var author = message.SenderName is { Length: > 0 } name ? name
            : message.SenderScreenName is { Length: > 0 } screenName ? $"@{screenName}"
            : message.SenderId;
        return Graphemes.Cut(author, MaxAuthorLength);
    }
}
