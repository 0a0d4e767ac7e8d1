using System.Collections.Concurrent;
using System.Diagnostics;
using System.Diagnostics.Metrics;
using Microsoft.Extensions.Configuration;
using TwitterBot.Contracts;
using TwitterBot.ServiceDefaults;

namespace TwitterBot.Processor.Conversations;

/// <summary>
/// The Processor's instruments (meter <c>TwitterBot.Processor</c>) and the tags it puts on the consume span
/// of each message: bot, event and outcome, never tokens, and the text only when
/// <c>Telemetry:IncludeMessageText</c> is on.
/// </summary>
public sealed class ProcessorTelemetry
{
    public const string Name = "TwitterBot.Processor";

    private readonly Histogram<double> _gatewayDuration;
    private readonly Counter<long> _directMessages;
    private readonly Counter<long> _deadLettered;
    private readonly Counter<long> _authFailures;
    private readonly Counter<long> _lookups;
    private readonly Counter<long> _refused;
    private readonly Counter<double> _spend;
    private readonly ConcurrentDictionary<(string BotUserId, string Window), long> _remaining = new();
    private readonly bool _includeText;

    public ProcessorTelemetry(IMeterFactory meters, IConfiguration configuration)
    {
        var meter = meters.Create(Name);
        _gatewayDuration = meter.CreateHistogram<double>("twitterbot.processor.gateway.duration", "s", "Gateway calls, by outcome.");
        _directMessages = meter.CreateCounter<long>("twitterbot.processor.direct_messages", "{message}", "DMs to X, by outcome: sent, rejected, rate_limited.");
        _deadLettered = meter.CreateCounter<long>("twitterbot.processor.dead_lettered", "{message}", "Messages moved to an _error queue, by message type.");
        _authFailures = meter.CreateCounter<long>("twitterbot.processor.x.auth_failures", "{answer}", "X's 401s that are not revocation (code 32, 135, other or none), by code: the bot's keys or this host's clock need fixing.");
        _lookups = meter.CreateCounter<long>("twitterbot.processor.reply_lookups", "{lookup}", "Replies whose outcome was lost, looked up on X, by outcome: found, not_found, undecided.");
        _refused = meter.CreateCounter<long>("twitterbot.processor.x.sends_refused", "{send}", "Sends not made or not taken, by reason: out_of_credits (402), usage_capped (429 UsageCapExceeded), rate_limited (429), suspended (held back: the app is out of credits), too_old (Processor:Replies:MaxAge).");
        _spend = meter.CreateCounter<double>("twitterbot.processor.x.spend", "USD", "Estimated spend at Processor:Pricing, by bot and item: dm_sent, dm_received.");
        meter.CreateObservableGauge("twitterbot.processor.x.quota_remaining", ObserveRemaining, "{call}", "Calls left in X's windows as X last reported them, by bot and window: endpoint (x-rate-limit-*), app_24h (x-app-limit-24hour-*), user_24h (x-user-limit-24hour-*).");
        _includeText = configuration.GetValue<bool>(Telemetry.IncludeTextKey);
    }

    public void Turn(DirectMessageReceived message)
    {
        var span = Activity.Current;
        span?.SetTag("twitterbot.bot_id", message.BotId);
        span?.SetTag("twitterbot.bot_user_id", message.BotUserId);
        span?.SetTag("twitterbot.event_id", message.EventId);
        if (_includeText)
        {
            span?.SetTag("twitterbot.text", message.Text);
        }
    }

    public static void Outcome(string outcome) => Activity.Current?.SetTag("twitterbot.outcome", outcome);

    public void GatewayCalled(TimeSpan elapsed, string outcome) =>
        _gatewayDuration.Record(elapsed.TotalSeconds, new TagList { { "outcome", outcome } });

    public void DirectMessage(string outcome) => _directMessages.Add(1, new TagList { { "outcome", outcome } });

    /// <param name="code">X's error code, 0 when X gave none.</param>
    public void AuthenticationFailed(int code) => _authFailures.Add(1, new TagList { { "code", code } });

    public void ReplyLookedUp(string outcome) => _lookups.Add(1, new TagList { { "outcome", outcome } });

    /// <summary>A send that was not made (held back) or that X refused, by reason.</summary>
    public void SendRefused(string reason) => _refused.Add(1, new TagList { { "reason", reason } });

    public void Spent(string botUserId, string item, decimal dollars) =>
        _spend.Add((double)dollars, new TagList { { "twitterbot.bot_user_id", botUserId }, { "item", item } });

    public void QuotaObserved(string botUserId, string window, long remaining) => _remaining[(botUserId, window)] = remaining;

    private IEnumerable<Measurement<long>> ObserveRemaining() =>
        _remaining.Select(entry => new Measurement<long>(entry.Value, new TagList { { "twitterbot.bot_user_id", entry.Key.BotUserId }, { "window", entry.Key.Window } }));

    public void DeadLettered(string messageType) => _deadLettered.Add(1, new TagList { { "message.type", messageType } });
}
