using System.Globalization;
using System.Net;
using Microsoft.Extensions.Options;
using TwitterBot.Conventions.Accounts;
using TwitterBot.Processor.Clients.X;
using TwitterBot.Processor.Options;

namespace TwitterBot.Processor.XAccount;

/// <summary>
/// The X Activity API subscriptions each bot needs (TwitterBot:Api:Subscriptions <c>ActivityApi</c>): one per event
/// type of <see cref="EventTypesFor"/> (<see cref="DirectMessageEventTypes"/>, and <see cref="ChatEventTypes"/> for a bot
/// listed in <c>TwitterBot:XChat</c>), filtered on the bot's user id, delivered to our webhook, tagged
/// <c>twitterbot:&lt;botUserId&gt;</c>. Only subscriptions with our tag are ever created or deleted; the app's others
/// are left as they are.
/// </summary>
/// <remarks>
/// Several replicas may reconcile at once. Rather than a lock (the <c>reconcile</c> verb may run where no database is
/// configured), each run re-lists after creating and deletes every duplicate of ours but the oldest (the lowest
/// subscription id; X's ids grow with time): whichever run re-lists last sees every copy and leaves exactly one.
/// </remarks>
public sealed partial class ActivitySubscriptions(XAccountActivityClient x, IOptions<XChatOptions> xchat, ILogger<ActivitySubscriptions> logger)
{
    /// <summary>What every bot subscribes to: DMs received, and DMs sent (echoes, for bookkeeping).</summary>
    public static readonly IReadOnlyList<string> DirectMessageEventTypes = ["dm.received", "dm.sent"];

    /// <summary>What a bot that speaks XChat subscribes to as well: encrypted DMs received, and sent (echoes).</summary>
    public static readonly IReadOnlyList<string> ChatEventTypes = ["chat.received", "chat.sent"];

    /// <summary>
    /// The event types <paramref name="botUserId"/> subscribes to. A bot whose XChat is switched off later keeps its
    /// <c>chat.*</c> subscriptions until <c>subscriptions remove</c>: reconciliation only adds.
    /// </summary>
    public static IReadOnlyList<string> EventTypesFor(string botUserId, XChatOptions xchat) =>
        xchat.IsEnabledFor(botUserId) ? [.. DirectMessageEventTypes, .. ChatEventTypes] : DirectMessageEventTypes;

    public const string TagPrefix = "twitterbot:";

    /// <summary>Names the bot and marks the subscription ours; at most 31 characters, well within X's 200 (X's OpenAPI, <c>tag.maxLength</c>).</summary>
    public static string TagFor(string botUserId) => TagPrefix + botUserId;

    public static bool IsOurs(XActivitySubscription subscription) =>
        subscription.Tag?.StartsWith(TagPrefix, StringComparison.Ordinal) == true;

    /// <summary>Ours, for this bot and event type, delivered to <paramref name="webhookId"/>.</summary>
    public static bool IsWanted(XActivitySubscription subscription, string botUserId, string eventType, string webhookId) =>
        subscription.Tag == TagFor(botUserId)
        && subscription.EventType == eventType
        && subscription.Filter?.UserId == botUserId
        && subscription.WebhookId == webhookId;

    /// <summary>Creates what is missing for <paramref name="bots"/> on <paramref name="webhookId"/>, then resolves duplicates of ours.</summary>
    /// <exception cref="XApiException">X refused, e.g. because the plan's subscription limit is reached (<see cref="XAdvice.IsSubscriptionLimit"/>).</exception>
    public async Task<ActivityReconciliation> EnsureAsync(string webhookId, IEnumerable<BotOptions> bots, CancellationToken cancellationToken)
    {
        var existing = await x.ListActivitySubscriptionsAsync(cancellationToken);
        var created = new List<XActivitySubscription>();
        var present = new List<XActivitySubscription>();
        var configured = bots.ToList();
        foreach (var bot in configured)
        {
            foreach (var eventType in EventTypesFor(bot.UserId!, xchat.Value))
            {
                if (existing.FirstOrDefault(s => IsWanted(s, bot.UserId!, eventType, webhookId)) is { } found)
                {
                    present.Add(found);
                    continue;
                }

                var subscription = await x.CreateActivitySubscriptionAsync(
                    new XActivitySubscriptionRequest(eventType, new XActivityFilter(bot.UserId), TagFor(bot.UserId!), webhookId),
                    new XUserToken(bot.AccessToken!, bot.AccessSecret!),
                    cancellationToken);
                created.Add(subscription);
                LogCreated(subscription.SubscriptionId ?? "?", eventType, bot.UserId!, webhookId);
            }
        }

        // Another replica may have created the same ones meanwhile: the list after our creates shows every copy.
        var settled = created.Count > 0 ? await x.ListActivitySubscriptionsAsync(cancellationToken) : existing;
        var removed = await RemoveDuplicatesAsync(settled, webhookId, configured, cancellationToken);
        return new ActivityReconciliation(
            created.Where(s => !removed.Contains(s.SubscriptionId ?? "")).ToList(),
            present,
            removed,
            settled.Count(s => !IsOurs(s)));
    }

    /// <summary>Deletes our subscriptions of <paramref name="botUserId"/> (on any webhook); others are never touched.</summary>
    public async Task<IReadOnlyList<XActivitySubscription>> RemoveAsync(string botUserId, CancellationToken cancellationToken)
    {
        var ours = (await x.ListActivitySubscriptionsAsync(cancellationToken))
            .Where(s => s.Tag == TagFor(botUserId) && s.SubscriptionId is not null)
            .ToList();
        foreach (var subscription in ours)
        {
            await DeleteAsync(subscription.SubscriptionId!, cancellationToken);
        }

        return ours;
    }

    private async Task<IReadOnlyList<string>> RemoveDuplicatesAsync(
        IReadOnlyList<XActivitySubscription> listed, string webhookId, IReadOnlyList<BotOptions> bots, CancellationToken cancellationToken)
    {
        var removed = new List<string>();
        foreach (var bot in bots)
        {
            foreach (var eventType in EventTypesFor(bot.UserId!, xchat.Value))
            {
                var copies = listed.Where(s => IsWanted(s, bot.UserId!, eventType, webhookId) && s.SubscriptionId is not null)
                    .OrderBy(s => Age(s.SubscriptionId!))
                    .ThenBy(s => s.SubscriptionId, StringComparer.Ordinal)
                    .ToList();
                foreach (var duplicate in copies.Skip(1))
                {
                    await DeleteAsync(duplicate.SubscriptionId!, cancellationToken);
                    removed.Add(duplicate.SubscriptionId!);
                    LogDuplicateRemoved(duplicate.SubscriptionId!, eventType, bot.UserId!, copies[0].SubscriptionId!);
                }
            }
        }

        return removed;
    }

    private async Task DeleteAsync(string subscriptionId, CancellationToken cancellationToken)
    {
        try
        {
            await x.DeleteActivitySubscriptionAsync(subscriptionId, cancellationToken);
        }
        catch (XApiException gone) when (gone.StatusCode == (int)HttpStatusCode.NotFound)
        {
            // Another replica deleted the same duplicate first.
        }
    }

    /// <summary>X's ids are snowflakes: a smaller number is an older subscription.</summary>
    private static ulong Age(string subscriptionId) =>
        ulong.TryParse(subscriptionId, NumberStyles.None, CultureInfo.InvariantCulture, out var id) ? id : ulong.MaxValue;

    [LoggerMessage(LogLevel.Information, "Created X Activity subscription {SubscriptionId}: {EventType} of bot {BotUserId} to webhook {WebhookId}.")]
    private partial void LogCreated(string subscriptionId, string eventType, string botUserId, string webhookId);

    [LoggerMessage(LogLevel.Information, "Deleted X Activity subscription {SubscriptionId}, a duplicate of {Kept} ({EventType} of bot {BotUserId}) created by a concurrent reconciliation.")]
    private partial void LogDuplicateRemoved(string subscriptionId, string eventType, string botUserId, string kept);
}

/// <param name="Created">Subscriptions this run created (and kept).</param>
/// <param name="Present">Wanted subscriptions that were already there.</param>
/// <param name="RemovedDuplicates">Ids of duplicates of ours deleted.</param>
/// <param name="Foreign">How many of the app's subscriptions are not ours (left alone).</param>
public sealed record ActivityReconciliation(
    IReadOnlyList<XActivitySubscription> Created,
    IReadOnlyList<XActivitySubscription> Present,
    IReadOnlyList<string> RemovedDuplicates,
    int Foreign);
