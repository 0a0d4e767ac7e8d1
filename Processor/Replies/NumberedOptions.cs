using System.Globalization;

namespace TwitterBot.Processor.Replies;

/// <summary>
/// Options where X has no quick replies (DM API v2): the reply's text, a blank line, then one line per option
/// (<c>1. Tea</c>). Only the options whose lines fit within X's text limit after the reply's longest text (its media
/// link included, as a failed upload sends it) are listed, and only those are offered: a number the user never saw
/// must not pick anything. A user's answer picks an option by its number (<c>2</c>, <c>2.</c>, <c> 2 </c>) or by its
/// exact label, case aside.
/// </summary>
public static class NumberedOptions
{
    private const string Separator = "\n\n";

    /// <summary>The options of <paramref name="reply"/> its numbered list holds, first to last.</summary>
    public static IReadOnlyList<QuickReplyOption> Listed(PlannedReply reply)
    {
        if (reply.QuickReplies is not { Count: > 0 } options)
        {
            return [];
        }

        var length = reply.TextWithLink.Length + Separator.Length;
        var listed = new List<QuickReplyOption>();
        foreach (var option in options)
        {
            length += (listed.Count > 0 ? 1 : 0) + Line(listed.Count, option).Length;
            if (length > ReplyPlanner.MaxTextLength)
            {
                break;
            }

            listed.Add(option);
        }

        return listed;
    }

    /// <summary><paramref name="text"/> (the reply's text, or its text with the media link) followed by the listed options.</summary>
    public static string Render(PlannedReply reply, string text) =>
        Listed(reply) is { Count: > 0 } listed
            ? $"{text}{Separator}{string.Join('\n', listed.Select((option, index) => Line(index, option)))}"
            : text;

    /// <summary>The option of <paramref name="offered"/> that <paramref name="text"/> picks, if it picks one.</summary>
    public static QuickReplyOption? Picked(string text, IReadOnlyList<QuickReplyOption> offered)
    {
        if (offered.Count == 0)
        {
            return null;
        }

        var answer = text.Trim();
        var number = answer.EndsWith('.') || answer.EndsWith(')') ? answer[..^1].TrimEnd() : answer;
        if (int.TryParse(number, NumberStyles.None, CultureInfo.InvariantCulture, out var picked) && picked >= 1 && picked <= offered.Count)
        {
            return offered[picked - 1];
        }

        return offered.FirstOrDefault(option => string.Equals(option.Label.Trim(), answer, StringComparison.OrdinalIgnoreCase));
    }

    private static string Line(int index, QuickReplyOption option) => $"{index + 1}. {option.Label}";
}
