using System.Text.Json;
using TwitterBot.Processor.Replies;

namespace TwitterBot.Processor.Clients.Gateway;

/// <summary>The gateway's answer as the bot's, plus what of it could not be used.</summary>
/// <param name="Skipped">What could not be used, as JSON paths and kinds (never content), e.g. <c>responses[2].text is a Number</c>.</param>
public sealed record GatewayReading(BotAnswer Answer, IReadOnlyList<string> Skipped);

/// <summary>
/// Reads the gateway's answer leniently: the documented shape (<c>/work/shared/gateway-api.md</c>) plus the
/// loose shapes seen in the wild for quick replies and attachments. Whatever has the wrong JSON type, is
/// <c>null</c>, or has no usable URL is skipped and named in <see cref="GatewayReading.Skipped"/>; the rest
/// is kept. An answer that is JSON but not an object is an unknown shape, read as an answer with nothing
/// in it: the gateway took the text, so asking again would only make it answer the same text twice.
/// The gateway's system commands (end, hand-over) become the answer's <see cref="ConversationSignal"/>.
/// </summary>
public static class GatewayAnswers
{
    private static readonly string[] Modelled = ["text", "quick_replies", "quickReplies", "attachments"];
    private static readonly string[] CommandMembers = ["command", "action", "type", "system_command"];
    private static readonly string[] HandOverCommands = ["agent", "handover", "hand_over", "redirect_to_agent", "transfer_to_agent"];
    private static readonly string[] EndCommands = ["end", "end_conversation", "close", "finish"];

    public static GatewayReading Read(JsonElement answer)
    {
        if (answer.ValueKind != JsonValueKind.Object)
        {
            return new GatewayReading(BotAnswer.Empty, [$"the answer is {Kind(answer)}"]);
        }

        var skipped = new List<string>();
        var state = answer.TryGetProperty("current_state", out var current) ? State(current, skipped) : null;
        var replies = new List<GatewayReply>();
        if (!answer.TryGetProperty("responses", out var responses) || responses.ValueKind != JsonValueKind.Array)
        {
            skipped.Add(responses.ValueKind == JsonValueKind.Undefined ? "responses is missing" : $"responses is {Kind(responses)}");
        }
        else
        {
            var index = 0;
            foreach (var reaction in responses.EnumerateArray())
            {
                if (Reply(reaction, $"responses[{index++}]", skipped) is { } reply)
                {
                    replies.Add(reply);
                }
            }
        }

        var messages = replies.Select(r => new BotMessage(r.Text ?? string.Empty, r.QuickReplies, r.Attachments)).ToList();
        return new GatewayReading(new BotAnswer(messages, SignalOf(state, replies)), skipped);
    }

    /// <summary>
    /// The gateway does not publish how it writes the end of a conversation or a hand-over to an agent;
    /// read here: a reaction member <c>command</c>/<c>action</c>/<c>type</c> naming it, a member
    /// <c>redirect</c> = <c>agent</c>, or a current state named <c>redirect:agent…</c> / <c>end…</c>.
    /// </summary>
    private static ConversationSignal SignalOf(GatewayState? current, List<GatewayReply> replies)
    {
        var commands = replies
            .SelectMany(reaction => reaction.Members)
            .Select(member => (Name: member.Key, Value: member.Value.ToLowerInvariant()))
            .ToList();
        var state = current?.Name?.ToLowerInvariant() ?? string.Empty;

        if (commands.Any(c => (c.Name == "redirect" && c.Value == "agent") || (CommandMembers.Contains(c.Name) && HandOverCommands.Contains(c.Value)))
            || (state.StartsWith("redirect", StringComparison.Ordinal) && state.Contains("agent", StringComparison.Ordinal)))
        {
            return ConversationSignal.HandedOver;
        }

        return commands.Any(c => CommandMembers.Contains(c.Name) && EndCommands.Contains(c.Value)) || state.StartsWith("end", StringComparison.Ordinal)
            ? ConversationSignal.Ended
            : ConversationSignal.None;
    }

    private static GatewayState? State(JsonElement state, List<string> skipped)
    {
        if (state.ValueKind == JsonValueKind.Null)
        {
            return null;
        }

        if (state.ValueKind != JsonValueKind.Object)
        {
            skipped.Add($"current_state is {Kind(state)}");
            return null;
        }

        return new GatewayState(StringMember(state, "id", "current_state", skipped), StringMember(state, "name", "current_state", skipped));
    }

    private static GatewayReply? Reply(JsonElement reaction, string path, List<string> skipped)
    {
        if (reaction.ValueKind != JsonValueKind.Object)
        {
            skipped.Add($"{path} is {Kind(reaction)}");
            return null;
        }

        var text = StringMember(reaction, "text", path, skipped);
        var options = reaction.TryGetProperty("quick_replies", out var snake) && snake.ValueKind is not JsonValueKind.Null ? snake
            : reaction.TryGetProperty("quickReplies", out var camel) ? camel
            : default;
        var members = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var member in reaction.EnumerateObject())
        {
            if (member.Value.ValueKind == JsonValueKind.String && !Modelled.Contains(member.Name))
            {
                members[member.Name] = member.Value.GetString()!;
            }
        }

        return new GatewayReply(
            text,
            Items(options, $"{path}.quick_replies", skipped, QuickReply),
            Items(reaction.TryGetProperty("attachments", out var attachments) ? attachments : default, $"{path}.attachments", skipped, Attachment),
            members);
    }

    /// <summary>The flow state the bot reached, e.g. <c>say:Hello</c> or <c>redirect:agent</c>.</summary>
    private sealed record GatewayState(string? Id, string? Name);

    /// <summary>One reaction as the gateway wrote it.</summary>
    /// <param name="Members">Its other string members, where a system command (end, hand-over) may be.</param>
    private sealed record GatewayReply(
        string? Text,
        IReadOnlyList<BotOption> QuickReplies,
        IReadOnlyList<BotAttachment> Attachments,
        IReadOnlyDictionary<string, string> Members);

    private static BotOption? QuickReply(JsonElement item, string path, List<string> skipped)
    {
        if (item.ValueKind == JsonValueKind.String)
        {
            return string.IsNullOrWhiteSpace(item.GetString()) ? Skip<BotOption>(skipped, $"{path} is blank") : new BotOption(item.GetString()!, null, null);
        }

        if (item.ValueKind != JsonValueKind.Object)
        {
            return Skip<BotOption>(skipped, $"{path} is {Kind(item)}");
        }

        var label = FirstString(item, "text", "label", "title");
        return string.IsNullOrWhiteSpace(label)
            ? Skip<BotOption>(skipped, $"{path} has no text, label or title")
            : new BotOption(label, FirstString(item, "description"), FirstString(item, "payload", "value", "metadata"));
    }

    private static BotAttachment? Attachment(JsonElement item, string path, List<string> skipped)
    {
        if (item.ValueKind != JsonValueKind.Object)
        {
            return Skip<BotAttachment>(skipped, $"{path} is {Kind(item)}");
        }

        // Only fetchable URLs are kept (see MediaUrls); MediaDownloadClient checks again at the fetch.
        var url = FirstString(item, "url", "src", "link");
        return MediaUrls.IsFetchable(url)
            ? new BotAttachment(url!, FirstString(item, "type"))
            : Skip<BotAttachment>(skipped, $"{path} has no absolute http(s) URL");
    }

    private static List<T> Items<T>(JsonElement items, string path, List<string> skipped, Func<JsonElement, string, List<string>, T?> read)
        where T : class
    {
        if (items.ValueKind is JsonValueKind.Undefined or JsonValueKind.Null)
        {
            return [];
        }

        if (items.ValueKind != JsonValueKind.Array)
        {
            skipped.Add($"{path} is {Kind(items)}");
            return [];
        }

        var list = new List<T>();
        var index = 0;
        foreach (var item in items.EnumerateArray())
        {
            if (read(item, $"{path}[{index++}]", skipped) is { } value)
            {
                list.Add(value);
            }
        }

        return list;
    }

    /// <summary>A string member; a member of another type (other than null) is skipped and named.</summary>
    private static string? StringMember(JsonElement item, string name, string path, List<string> skipped)
    {
        if (!item.TryGetProperty(name, out var value) || value.ValueKind == JsonValueKind.Null)
        {
            return null;
        }

        if (value.ValueKind != JsonValueKind.String)
        {
            skipped.Add($"{path}.{name} is {Kind(value)}");
            return null;
        }

        return value.GetString();
    }

    private static string? FirstString(JsonElement item, params string[] names)
    {
        foreach (var name in names)
        {
            if (item.TryGetProperty(name, out var value) && value.ValueKind == JsonValueKind.String && value.GetString() is { Length: > 0 } text)
            {
                return text;
            }
        }

        return null;
    }

    private static T? Skip<T>(List<string> skipped, string problem)
        where T : class
    {
        skipped.Add(problem);
        return null;
    }

    private static string Kind(JsonElement value) => value.ValueKind switch
    {
        JsonValueKind.Null => "null",
        JsonValueKind.Array => "an Array",
        JsonValueKind.Object => "an Object",
        var kind => $"a {kind}",
    };
}
