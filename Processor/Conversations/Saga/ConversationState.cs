using System.Text.Json.Serialization;
using MassTransit;
using TwitterBot.Processor.Clients.Gateway;
using TwitterBot.Processor.Replies;

namespace TwitterBot.Processor.Conversations.Saga;

/// <summary>
/// What a conversation (bot account × X user) remembers across its turns. Each turn's own progress stays
/// in the turn ledger (<see cref="IConversationStore"/>); this is what the next turn decides from.
/// </summary>
public sealed class ConversationState : SagaStateMachineInstance, ISagaVersion
{
    public Guid CorrelationId { get; set; }

    public string CurrentState { get; set; } = "";

    /// <summary>The row's version: an update from an older one is refused (optimistic concurrency).</summary>
    public int Version { get; set; }

    public string BotUserId { get; set; } = "";

    public string UserId { get; set; } = "";

    /// <summary>The gateway session's id, as <see cref="GatewayRequests"/> sends it.</summary>
    public string? Suid { get; set; }

    public DateTimeOffset? SessionStartedAt { get; set; }

    /// <summary>When the bot last answered a turn of this conversation: the gateway session lives this long past it.</summary>
    public DateTimeOffset? LastActivityAt { get; set; }

    /// <summary>When the bot last handed the conversation over to a human (the pause itself is issue 14).</summary>
    public DateTimeOffset? HandedOverAt { get; set; }

    public DateTimeOffset? HumanUntil { get; set; }

    /// <summary>The quick-reply options of the bot's last reply, to map a numbered answer back (X DM v2).</summary>
    public List<QuickReplyOption> OptionsOffered { get; set; } = [];

    /// <summary>XChat conversation-key versions; empty until the XChat channel exists.</summary>
    public List<string> XChatKeyVersions { get; set; } = [];
}

/// <summary>Serializes <see cref="ConversationState"/> into the <c>conversations.state</c> column.</summary>
[JsonSourceGenerationOptions(PropertyNamingPolicy = JsonKnownNamingPolicy.SnakeCaseLower)]
[JsonSerializable(typeof(ConversationState))]
internal sealed partial class ConversationStateJsonContext : JsonSerializerContext;
