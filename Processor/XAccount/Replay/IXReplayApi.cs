using Refit;
using TwitterBot.Processor.Clients.X;

namespace TwitterBot.Processor.XAccount.Replay;

/// <summary>
/// X's Replay endpoints, one per flavour, and each bot's DM history, as Refit declares them, relative to
/// <c>TwitterBot:Api:TwitterUrl</c> (v2 paths start at the host's root). Replay is app-only (the bearer token);
/// the history is read in each bot's own user context. Use it through <see cref="XReplayClient"/>.
/// </summary>
public interface IXReplayApi
{
    /// <summary>Enterprise (v1.1) Account Activity replay job.</summary>
    /// <param name="fromDate">X's <c>yyyyMMddHHmm</c>, UTC (<see cref="XReplayClient.ReplayDate"/>).</param>
    [Post("account_activity/replay/webhooks/{webhookId}/subscriptions/all.json")]
    Task<IApiResponse<XReplayJob>> EnterpriseReplayAsync(
        string webhookId, [Query, AliasAs("from_date")] string fromDate, [Query, AliasAs("to_date")] string toDate,
        [Property(IXAccountActivityApi.AppOnly)] bool appOnly, CancellationToken cancellationToken);

    /// <summary>AAA v2's own replay job, 5 days (docs.x.com <c>x-api/account-activity/create-replay-job</c>): the window in the query.</summary>
    [Post("/2/account_activity/replay/webhooks/{webhookId}/subscriptions/all")]
    Task<IApiResponse<XReplayJobAnswer>> AccountActivityV2ReplayAsync(
        string webhookId, [Query, AliasAs("from_date")] string fromDate, [Query, AliasAs("to_date")] string toDate,
        [Property(IXAccountActivityApi.AppOnly)] bool appOnly, CancellationToken cancellationToken);

    /// <summary>The webhook replay that goes with the X Activity API, 24 hours (<c>x-api/webhooks/create-replay-job-for-webhook</c>): the window in the body.</summary>
    [Post("/2/webhooks/replay")]
    Task<IApiResponse<XReplayJobAnswer>> WebhookReplayAsync(
        [Body] WebhookReplayRequest replay, [Property(IXAccountActivityApi.AppOnly)] bool appOnly, CancellationToken cancellationToken);

    /// <summary>v1.1: the bot's DM events of the last 30 days, sent and received, newest first, at most 50 a page.</summary>
    [Get("direct_messages/events/list.json?count=50")]
    Task<IApiResponse<V1HistoryPage>> V1HistoryAsync(
        [Query] string? cursor, [Property(IXAccountActivityApi.AsUser)] XUserToken bot, CancellationToken cancellationToken);

    /// <summary>v2: the bot's message events of the last 30 days, sent and received, newest first, at most 100 a page, with the senders' names.</summary>
    [Get("/2/dm_events?event_types=MessageCreate&max_results=100&dm_event.fields=id,event_type,text,sender_id,created_at,dm_conversation_id,entities&expansions=sender_id&user.fields=name,username")]
    Task<IApiResponse<V2HistoryPage>> V2HistoryAsync(
        [AliasAs("pagination_token")] string? paginationToken, [Property(IXAccountActivityApi.AsUser)] XUserToken bot, CancellationToken cancellationToken);
}
