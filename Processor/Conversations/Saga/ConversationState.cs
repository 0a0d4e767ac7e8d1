using System.Text.Json.Serialization;
using MassTransit;
using TwitterBot.Contracts;
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

    /// <summary>When the conversation was last handed over to a human (by the gateway, or by a person at the brand answering from the X app).</summary>
    public DateTimeOffset? HandedOverAt { get; set; }

    /// <summary>Who took it then; only an <see cref="HandOverSource.XApp"/> hand-over pauses the bot.</summary>
    public HandOverSource? HandedOverBy { get; set; }

    /// <summary>
    /// Until when the human holds the conversation (<c>Processor:Conversations:HumanPause</c> past their latest DM). After
    /// an X app hand-over, the user's DMs before it are recorded but not answered; for a gateway hand-over it is a
    /// record only (the gateway relays to its agent, so it keeps being asked).
    /// </summary>
    public DateTimeOffset? HumanUntil { get; set; }

    /// <summary>A person at the brand wrote to the user since the bot last answered: the bot's next answer begins a new gateway session.</summary>
    public bool HumanSpokeLast { get; set; }

    /// <summary>
    /// The options of the bot's last reply, as the user saw them (on X DM v2 only those the numbered list holds),
    /// to map a numbered answer back; any other DM clears them.
    /// </summary>
    public List<QuickReplyOption> OptionsOffered { get; set; } = [];

    /// <summary>The XChat conversation-key versions the bot learnt for this conversation, oldest first (the newest 16; the keys are in <c>xchat_conversation_keys</c>).</summary>
    public List<string> XChatKeyVersions { get; set; } = [];
}

/// <summary>Serializes <see cref="ConversationState"/> into the <c>conversations.state</c> column.</summary>
[JsonSourceGenerationOptions(PropertyNamingPolicy = JsonKnownNamingPolicy.SnakeCaseLower)]
[JsonSerializable(typeof(ConversationState))]
internal sealed partial class ConversationStateJsonContext : JsonSerializerContext;
