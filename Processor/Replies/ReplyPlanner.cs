using TwitterBot.Processor.Text;

namespace TwitterBot.Processor.Replies;

/// <summary>
/// Turns the bot's answer into the DMs X accepts: text split at X's 10,000 characters, at most 20 quick
/// replies (label ≤ 36, description ≤ 72, metadata ≤ 1000 characters, descriptions on all options or none)
/// on the last DM of their reaction, and attachments (one media per DM) uploaded when sent. Every cut falls
/// between grapheme clusters. Only X's limits live here: what the bot meant was read before, by the client
/// that asked it.
/// </summary>
public static class ReplyPlanner
{
    public const int MaxTextLength = 10_000;
    public const int MaxQuickReplies = 20;
    public const int MaxLabelLength = 36;
    public const int MaxDescriptionLength = 72;
    public const int MaxMetadataLength = 1000;

    /// <summary>X needs text with quick replies; used when the bot sends options alone.</summary>
    public const string OptionsOnlyText = "Choose an option:";

    public static PlannedAnswer Plan(BotAnswer answer) => new(PlanReplies(answer), answer.Signal);

    private static List<PlannedReply> PlanReplies(BotAnswer answer)
    {
        var replies = new List<PlannedReply>();
        foreach (var message in answer.Messages)
        {
            var options = QuickReplies(message.Options);
            var chunks = Split(message.Text);
            if (chunks.Count == 0 && options.Count > 0)
            {
                chunks.Add(OptionsOnlyText);
            }

            // X attaches one media to a DM: the first rides on the reaction's last DM, the others go alone.
            // MediaDownloadClient checks each URL again at the fetch.
            var media = message.Attachments.Select(a => a.Url).ToList();
            for (var i = 0; i < chunks.Count; i++)
            {
                var last = i == chunks.Count - 1;
                replies.Add(new PlannedReply(chunks[i], last && options.Count > 0 ? options : null, last ? media.FirstOrDefault() : null));
            }

            replies.AddRange(media.Skip(chunks.Count > 0 ? 1 : 0).Select(link => new PlannedReply(string.Empty, MediaUrl: link)));
        }

        return replies;
    }

    /// <summary>
    /// Splits at the last whitespace in the second half of the limit when there is one, else at the last
    /// grapheme cluster boundary before it.
    /// </summary>
    public static List<string> Split(string text)
    {
        var chunks = new List<string>();
        var rest = text.Trim();
        while (rest.Length > MaxTextLength)
        {
            var length = WhitespaceCut(rest) ?? Graphemes.LastBoundary(rest, 0, MaxTextLength);
            chunks.Add(rest[..length].TrimEnd());
            rest = rest[length..].TrimStart();
        }

        if (rest.Length > 0)
        {
            chunks.Add(rest);
        }

        return chunks;
    }

    /// <summary>The start of the last whitespace-only cluster between half the limit and the limit (CR LF is one).</summary>
    private static int? WhitespaceCut(string text)
    {
        int? cut = null;
        var previous = -1;
        foreach (var boundary in Graphemes.Boundaries(text, 0, MaxTextLength))
        {
            if (previous >= MaxTextLength / 2 && text.AsSpan(previous, boundary - previous).IsWhiteSpace())
            {
                cut = previous;
            }

            previous = boundary;
        }

        return cut;
    }

    public static IReadOnlyList<QuickReplyOption> QuickReplies(IReadOnlyList<BotOption> items)
    {
        var options = items
            .Select(item => new QuickReplyOption(
                Graphemes.Cut(item.Label, MaxLabelLength),
                item.Description is null ? null : Graphemes.Cut(item.Description, MaxDescriptionLength),
                item.Payload is null ? null : Graphemes.Cut(item.Payload, MaxMetadataLength)))
            .Where(option => option.Label.Length > 0)
            .Take(MaxQuickReplies)
            .ToList();

        // X takes descriptions on every option or on none.
        return options.All(o => o.Description is not null) ? options : options.Select(o => o with { Description = null }).ToList();
    }
}
