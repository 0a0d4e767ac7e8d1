using System.Text.Json.Serialization;

namespace TwitterBot.Processor.Conversations;

/// <summary>One DM the bot will send, as the gateway's answer was planned into X's limits.</summary>
public sealed record PlannedReply(string Text, IReadOnlyList<QuickReplyOption>? QuickReplies = null);

/// <summary>A quick-reply option: label ≤ 36, description ≤ 72, metadata ≤ 1000 characters.</summary>
public sealed record QuickReplyOption(string Label, string? Description, string? Metadata);

[JsonSourceGenerationOptions(PropertyNamingPolicy = JsonKnownNamingPolicy.SnakeCaseLower)]
[JsonSerializable(typeof(IReadOnlyList<PlannedReply>))]
internal sealed partial class ConversationJsonContext : JsonSerializerContext;
