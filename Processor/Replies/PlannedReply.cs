using System.Text.Json.Serialization;

namespace TwitterBot.Processor.Replies;

/// <summary>The bot's answer to one user message planned into X's DMs, as stored before any reply goes out.</summary>
/// <remarks>Stored as JSON in the turn ledger: its property names and the signal's names are a stored format.</remarks>
public sealed record PlannedAnswer(IReadOnlyList<PlannedReply> Replies, ConversationSignal Signal = ConversationSignal.None);

/// <summary>One DM the bot will send, as its answer was planned into X's limits.</summary>
/// <param name="MediaUrl">A photo, GIF or video to upload and attach; its link is sent instead if that fails.</param>
public sealed record PlannedReply(string Text, IReadOnlyList<QuickReplyOption>? QuickReplies = null, string? MediaUrl = null)
{
    /// <summary>The text to send when the media cannot be attached: the link goes with the words.</summary>
    public string TextWithLink => MediaUrl is null ? Text : $"{Text}\n{MediaUrl}".Trim();
}

/// <summary>A quick-reply option: label ≤ 36, description ≤ 72, metadata ≤ 1000 characters.</summary>
public sealed record QuickReplyOption(string Label, string? Description, string? Metadata);

[JsonSourceGenerationOptions(PropertyNamingPolicy = JsonKnownNamingPolicy.SnakeCaseLower, UseStringEnumConverter = true)]
[JsonSerializable(typeof(PlannedAnswer))]
internal sealed partial class ConversationJsonContext : JsonSerializerContext;
