namespace TwitterBot.ServiceDefaults;

/// <summary>A conversation is one bot account × one X user; its key orders that user's messages.</summary>
public static class Conversations
{
    /// <summary>The message header that carries <see cref="Key"/> on every <c>DirectMessageReceived</c>.</summary>
    public const string KeyHeader = "TwitterBot-Conversation";

    public static string Key(string botUserId, string userId) => $"{botUserId}:{userId}";
}
