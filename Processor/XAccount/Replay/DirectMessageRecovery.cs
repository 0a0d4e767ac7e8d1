using Microsoft.Extensions.Options;
using TwitterBot.Contracts;
using TwitterBot.Conventions.Accounts;
using TwitterBot.Conventions.Ids;
using TwitterBot.Processor.Clients.X;

namespace TwitterBot.Processor.XAccount.Replay;

/// <summary>
/// Fills a gap older than Replay reaches from each bot's DM history: pages back (at most a given number of
/// pages) to the time, and keeps what the Ingress would have published: DMs sent to the bot by a person (not
/// the bot's own, not another configured bot's), as <see cref="DirectMessageReceived"/> under the Ingress's
/// message id and conversation key, so that the Processor's turn ledger takes a recovered DM, the same DM
/// replayed and the same DM delivered late by the webhook for one turn.
/// </summary>
public sealed class DirectMessageRecovery(IDirectMessageHistory history, IOptions<TwitterBotOptions> options, BotAccounts bots)
{
    /// <summary>How far back X lists a user's DM events (docs.x.com, Direct Messages lookup: "events from the last 30 days").</summary>
    public static readonly TimeSpan Reach = TimeSpan.FromDays(30);

    public string Endpoint => history.Endpoint;

    /// <returns>Why DMs cannot be recovered from <paramref name="since"/>, or null when they can.</returns>
    public static string? Problem(DateTimeOffset since, int maxPages, int connectTimeoutSeconds, DateTimeOffset now) => (since, maxPages) switch
    {
        (_, < 1) => $"--max-pages ({maxPages}) must be at least 1.",
        _ when connectTimeoutSeconds is < 1 or > 300 => $"--connect-timeout ({connectTimeoutSeconds}) must be between 1 and 300 seconds.",
        _ when since >= now => $"--recover-from ({since:u}) must be in the past (now is {now:u}).",
        _ when since < now - Reach => $"--recover-from ({since:u}) is more than 30 days ago; X lists only the last 30 days of DMs (from {now - Reach:u}).",
        _ => null,
    };

    /// <summary>Reads every configured bot's history back to <paramref name="since"/>, within <paramref name="maxPages"/> pages (calls) a bot.</summary>
    public async Task<IReadOnlyList<BotRecovery>> FetchAsync(DateTimeOffset since, int maxPages, CancellationToken cancellationToken)
    {
        var recovered = new List<BotRecovery>();
        foreach (var bot in options.Value.Bots)
        {
            recovered.Add(await FetchAsync(bot, since, maxPages, cancellationToken));
        }

        return recovered;
    }

    private async Task<BotRecovery> FetchAsync(BotOptions bot, DateTimeOffset since, int maxPages, CancellationToken cancellationToken)
    {
        var token = new XUserToken(bot.AccessToken!, bot.AccessSecret!);
        var missed = new Dictionary<string, ListedDirectMessage>(StringComparer.Ordinal);
        var (calls, fetched, complete) = (0, 0, false);
        DateTimeOffset? oldest = null;
        string? cursor = null;
        while (calls < maxPages && !complete)
        {
            var page = await history.PageAsync(token, cursor, cancellationToken);
            calls++;
            fetched += page.Messages.Count;
            foreach (var listed in page.Messages)
            {
                oldest = oldest is { } before && before < listed.CreatedAt ? before : listed.CreatedAt;
                if (listed.CreatedAt < since)
                {
                    complete = true;
                }
                else if (IsFromAPerson(listed, bot.UserId!))
                {
                    missed.TryAdd(listed.EventId, listed);
                }
            }

            complete |= page.Next is null;
            cursor = page.Next;
        }

        var messages = missed.Values
            .OrderBy(m => m.CreatedAt).ThenBy(m => m.EventId.Length).ThenBy(m => m.EventId, StringComparer.Ordinal)
            .Select(m => Received(m, bot))
            .ToList();
        return new BotRecovery(bot.BotId!, bot.UserId!, calls, fetched, messages, complete, oldest);
    }

    /// <summary>The Ingress's rules: sent to the bot, by neither the bot itself (an echo) nor another configured bot.</summary>
    private bool IsFromAPerson(ListedDirectMessage listed, string botUserId) =>
        listed.RecipientId == botUserId && listed.SenderId != botUserId && bots.Find(listed.SenderId) is null;

    private static RecoveredDirectMessage Received(ListedDirectMessage listed, BotOptions bot) => new(
        new DirectMessageReceived
        {
            EventId = listed.EventId,
            BotUserId = bot.UserId!,
            BotId = bot.BotId!,
            SenderId = listed.SenderId,
            SenderName = listed.SenderName,
            SenderScreenName = listed.SenderScreenName,
            Text = listed.Text,
            CreatedAt = listed.CreatedAt,
            QuickReplyMetadata = listed.QuickReplyMetadata,
            Urls = listed.Urls,
            Media = listed.Media,
        },
        MessageIds.For(bot.UserId!, listed.EventId),
        ConversationKeys.For(bot.UserId!, listed.SenderId));
}

/// <summary>What one bot's history gave.</summary>
/// <param name="Calls">Requests made to X (one a page).</param>
/// <param name="Fetched">Message events listed, sent and received.</param>
/// <param name="Missed">The DMs from people since the time, oldest first.</param>
/// <param name="Complete">Whether the pages reached back to the time (or to the end of the history); false when the page bound stopped it first.</param>
/// <param name="Oldest">The oldest event read.</param>
public sealed record BotRecovery(
    string BotId, string BotUserId, int Calls, int Fetched, IReadOnlyList<RecoveredDirectMessage> Missed, bool Complete, DateTimeOffset? Oldest);

/// <summary>A DM to publish as the Ingress does: under its message id, routed by its conversation key.</summary>
public sealed record RecoveredDirectMessage(DirectMessageReceived Message, Guid MessageId, string ConversationKey);
