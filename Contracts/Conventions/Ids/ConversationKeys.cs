namespace TwitterBot.Conventions.Ids;

/// <summary>A conversation is one bot account × one X user; its key orders that user's messages.</summary>
public static class ConversationKeys
{
    /// <summary>The message header that carries <see cref="For"/> on every <c>DirectMessageReceived</c>.</summary>
    public const string Header = "TwitterBot-Conversation";

    public static string For(string botUserId, string userId) => $"{botUserId}:{userId}";
}
