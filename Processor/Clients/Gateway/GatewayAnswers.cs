using System.Text.Json;

namespace TwitterBot.Processor.Clients.Gateway;

/// <summary>The gateway's answer, as far as it could be used (<see cref="GatewayAnswers.Read"/>).</summary>
/// <param name="Skipped">What could not be used, as JSON paths and kinds (never content), e.g. <c>responses[2].text is a Number</c>.</param>
public sealed record GatewayResponse(GatewayState? CurrentState, IReadOnlyList<GatewayReply> Responses, IReadOnlyList<string> Skipped);

/// <summary>The flow state the bot reached, e.g. <c>say:Hello</c> or <c>redirect:agent</c>.</summary>
public sealed record GatewayState(string? Id, string? Name);

/// <summary>One bot reaction.</summary>
/// <param name="Members">Its other string members, where a system command (end, hand-over) may be.</param>
public sealed record GatewayReply(
    string? Text,
    IReadOnlyList<GatewayQuickReply> QuickReplies,
    IReadOnlyList<GatewayAttachment> Attachments,
    IReadOnlyDictionary<string, string> Members);

/// <param name="Payload">The option's metadata: <c>payload</c>, <c>value</c> or <c>metadata</c>.</param>
public sealed record GatewayQuickReply(string Label, string? Description, string? Payload);

/// <param name="Url">An absolute http(s) URL (see <see cref="MediaUrls"/>).</param>
public sealed record GatewayAttachment(string Url, string? Type);

/// <summary>
/// Reads the gateway's answer leniently: the documented shape (<c>/work/shared/gateway-api.md</c>) plus the
/// loose shapes seen in the wild for quick replies and attachments. Whatever has the wrong JSON type, is
/// <c>null</c>, or has no usable URL is skipped and named in <see cref="GatewayResponse.Skipped"/>; the rest
/// is kept. An answer that is JSON but not an object is an unknown shape, planned as an answer with nothing
/// in it: the gateway took the text, so asking again would only make it answer the same text twice.
/// </summary>
public static class GatewayAnswers
{
    private static readonly string[] Modelled = ["text", "quick_replies", "quickReplies", "attachments"];

    public static GatewayResponse Read(JsonElement answer)
    {
        if (answer.ValueKind != JsonValueKind.Object)
        {
            return new GatewayResponse(null, [], [$"the answer is {Kind(answer)}"]);
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

        return new GatewayResponse(state, replies, skipped);
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

    private static GatewayQuickReply? QuickReply(JsonElement item, string path, List<string> skipped)
    {
        if (item.ValueKind == JsonValueKind.String)
        {
            return string.IsNullOrWhiteSpace(item.GetString()) ? Skip<GatewayQuickReply>(skipped, $"{path} is blank") : new GatewayQuickReply(item.GetString()!, null, null);
        }

        if (item.ValueKind != JsonValueKind.Object)
        {
            return Skip<GatewayQuickReply>(skipped, $"{path} is {Kind(item)}");
        }

        var label = FirstString(item, "text", "label", "title");
        return string.IsNullOrWhiteSpace(label)
            ? Skip<GatewayQuickReply>(skipped, $"{path} has no text, label or title")
            : new GatewayQuickReply(label, FirstString(item, "description"), FirstString(item, "payload", "value", "metadata"));
    }

    private static GatewayAttachment? Attachment(JsonElement item, string path, List<string> skipped)
    {
        if (item.ValueKind != JsonValueKind.Object)
        {
            return Skip<GatewayAttachment>(skipped, $"{path} is {Kind(item)}");
        }

        var url = FirstString(item, "url", "src", "link");
        return MediaUrls.IsFetchable(url)
            ? new GatewayAttachment(url!, FirstString(item, "type"))
            : Skip<GatewayAttachment>(skipped, $"{path} has no absolute http(s) URL");
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
