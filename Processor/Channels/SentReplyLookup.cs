using System.Text.Json;
using TwitterBot.Processor.Clients.X;
using TwitterBot.Processor.Replies;

namespace TwitterBot.Processor.Channels;

/// <summary>
/// The rules every channel's "was it sent?" lookup shares: page through the bot's messages, newest first, until
/// they are older than the send by the channel's own clock (<see cref="XClock"/>, as its answers' <c>Date</c>
/// tells), within <see cref="PageBudget"/> pages; and compare a listed text with the reply exactly.
/// </summary>
public sealed class SentReplyLookup(XClock clock)
{
    /// <summary>Pages of the bot's messages read at most per lookup (50 each): beyond that, the lookup cannot decide.</summary>
    public const int PageBudget = 10;

    /// <summary>One page of the bot's messages, newest first, and the cursor of the next (null at the end).</summary>
    public delegate Task<(IReadOnlyList<T> Events, string? Next)> PageFetcher<T>(string? cursor);

    /// <summary>The ids <paramref name="match"/> names among the messages created since the send began, oldest first.</summary>
    /// <param name="match">A message's creation time (null: skipped) and its id when it is the reply.</param>
    /// <exception cref="ReplyLookupUndecidedException">The list could not be read, or not far enough back.</exception>
    public async Task<IReadOnlyList<string>> FindAsync<T>(
        DateTimeOffset since, PageFetcher<T> fetch, Func<T, (DateTimeOffset? Created, string? Id)> match)
    {
        try
        {
            return await PageAsync(since, fetch, match);
        }
        catch (Exception failure) when (failure is XApiException or XOutcomeUnknownException or HttpRequestException or JsonException)
        {
            throw new ReplyLookupUndecidedException($"The bot's DMs on X could not be read ({failure.Message}): whether the reply was sent is not known yet.", failure);
        }
    }

    private async Task<IReadOnlyList<string>> PageAsync<T>(
        DateTimeOffset since, PageFetcher<T> fetch, Func<T, (DateTimeOffset? Created, string? Id)> match)
    {
        var found = new List<string>();
        string? cursor = null;
        for (var page = 0; page < PageBudget; page++)
        {
            var (events, next) = await fetch(cursor);
            // Measured after each page: the clock's offset is read from the answer just received.
            var earliest = clock.EarliestSince(since);
            var reachedStart = false;
            foreach (var listed in events)
            {
                if (match(listed) is not ({ } created, var id))
                {
                    continue;
                }

                if (created < earliest)
                {
                    reachedStart = true;
                }
                else if (id is not null)
                {
                    found.Add(id);
                }
            }

            if (reachedStart || string.IsNullOrEmpty(next))
            {
                found.Reverse();
                return found;
            }

            cursor = next;
        }

        throw new ReplyLookupUndecidedException($"{PageBudget} pages of the bot's DMs on X did not reach back to {since:O}: whether the reply was sent is not known yet.");
    }

    /// <summary>
    /// Whether a listed text (links put back, the attachment's link removed, escaping undone) is the reply as
    /// <paramref name="rendered"/> sends it: with its media, its own text went out; without (not planned, or
    /// the upload failed), its text with the link.
    /// </summary>
    public static bool SameText(string listed, bool hasMedia, PlannedReply reply, Func<string, string> rendered) =>
        hasMedia
            ? reply.MediaUrl is not null && string.Equals(listed.Trim(), rendered(reply.Text).Trim(), StringComparison.Ordinal)
            : string.Equals(listed.Trim(), rendered(reply.TextWithLink).Trim(), StringComparison.Ordinal);
}
