namespace TwitterBot.Conventions.Ids;

/// <summary>A conversation is one bot account × one X user; its key orders that user's messages.</summary>
public static class ConversationKeys
{
    /// <summary>The message header that carries <see cref="For"/> on every <c>DirectMessageReceived</c>.</summary>
    public const string Header = "TwitterBot-Conversation";

    public static string For(string botUserId, string userId) => $"{botUserId}:{userId}";

    /// <summary>
    /// The key of an XChat conversation of <paramref name="botUserId"/>. A one-to-one conversation (<c>a-b</c> in URLs,
    /// <c>a:b</c> where signed) that includes the bot has the same key as the pair's legacy DMs, so that both kinds
    /// of message of one person land, in order, in one partition. A group (<c>g…</c>), or an id not naming the bot,
    /// is a conversation of its own.
    /// </summary>
    public static string ForChat(string botUserId, string conversationId) =>
        ChatPeer(botUserId, conversationId) is { } peer ? For(botUserId, peer) : $"{botUserId}:chat:{conversationId}";

    /// <summary>The other participant of a one-to-one XChat conversation that includes <paramref name="botUserId"/>, else null.</summary>
    public static string? ChatPeer(string botUserId, string conversationId)
    {
        var separator = conversationId.IndexOfAny(['-', ':']);
        if (separator <= 0 || separator == conversationId.Length - 1 || conversationId.IndexOfAny(['-', ':'], separator + 1) >= 0)
        {
            return null;
        }

        var first = conversationId[..separator];
        var second = conversationId[(separator + 1)..];
        if (!first.All(char.IsAsciiDigit) || !second.All(char.IsAsciiDigit) || first == second)
        {
            return null;
        }

        return first == botUserId ? second : second == botUserId ? first : null;
    }
}
