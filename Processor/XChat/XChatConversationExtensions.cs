using TwitterBot.Processor.Conversations.Saga;

namespace TwitterBot.Processor.XChat;

public static class XChatConversationExtensions
{
    /// <summary>What answers XChat in the conversation saga: the inbox that verifies and opens, the served-key cache, the activity.</summary>
    public static IServiceCollection AddXChatConversations(this IServiceCollection services)
    {
        services.AddSingleton<XChatServedKeys>();
        services.AddSingleton<XChatTelemetry>();
        services.AddTransient<XChatInbox>();
        services.AddScoped<TakeChatTurnActivity>();
        return services;
    }
}
