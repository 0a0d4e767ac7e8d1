using Microsoft.Extensions.Diagnostics.HealthChecks;
using Microsoft.Extensions.Options;
using TwitterBot.Processor.Clients.X;
using TwitterBot.Processor.Conversations;
using TwitterBot.Processor.Options;

namespace TwitterBot.Processor.Quota;

/// <summary>
/// Money and quota, shared by every replica through <see cref="IBotThrottles"/>:
/// <list type="bullet">
/// <item>the app's suspension: X refused it for money (402, <c>UsageCapExceeded</c>). No send goes out on any replica;
/// one probe per <c>Processor:Replies:OutOfCreditsProbeInterval</c> across all of them (claimed in the store) asks X
/// without a message (<see cref="XAppProbe"/>, made by <see cref="ConsumptionResumer"/>), and the first probe X answers
/// ends it. One error log when it starts (on the replica that started it), one information log when it ends;
/// readiness is degraded meanwhile (<see cref="QuotaHealthCheck"/>).</item>
/// <item>X's windows, read from every answer: a window with nothing left is a wait until its reset before any send
/// (<see cref="RateLimits"/>), so no call is wasted on a certain 429; the app's 24-hour window holds every bot back.</item>
/// </list>
/// The suspension is read at most once a second.
/// </summary>
public sealed partial class SendingQuota(
    IBotThrottles store,
    RateLimits rateLimits,
    IOptions<ProcessorOptions> options,
    ProcessorTelemetry telemetry,
    TimeProvider time,
    ILogger<SendingQuota> logger)
{
    /// <summary>How often a send held back by the suspension looks again (the store, and whether its probe is due).</summary>
    public static readonly TimeSpan PollInterval = TimeSpan.FromSeconds(1);

    /// <summary>How often the windows of a bot are written to the store for <c>doctor</c> (a spent window at once).</summary>
    public static readonly TimeSpan QuotaRecordInterval = TimeSpan.FromSeconds(10);

    private readonly ReadThroughCache<string, AppSuspension?> _suspension = new(TimeSpan.FromSeconds(1), time);
    private readonly System.Collections.Concurrent.ConcurrentDictionary<string, DateTimeOffset> _recordedAt = new(StringComparer.Ordinal);

    public ValueTask<AppSuspension?> SuspensionAsync(CancellationToken cancellationToken) =>
        _suspension.GetAsync(RateLimits.AppKey, (_, token) => store.SuspensionAsync(token), cancellationToken);

    /// <summary>Whether this replica knows the app to be suspended (from its last read of the store, or its own refusal).</summary>
    public bool KnowsOfSuspension => _suspension.TryGetLastKnown(RateLimits.AppKey, out var known) && known is not null;

    /// <summary>
    /// Returns once a send may go out: the app is not suspended. Waits in place, in slices of <see cref="PollInterval"/>,
    /// until <paramref name="deadline"/>; the suspension ends only by a probe (<see cref="TryClaimProbeAsync"/>), never by a send.
    /// </summary>
    /// <exception cref="SendingSuspendedException">Still suspended at the deadline: the message is held back or retried later.</exception>
    public async Task WaitUntilMaySendAsync(DateTimeOffset deadline, CancellationToken cancellationToken)
    {
        var held = false;
        while (await SuspensionAsync(cancellationToken) is { } suspension)
        {
            if (!held)
            {
                telemetry.SendRefused("suspended");
                held = true;
            }

            var now = time.GetUtcNow();
            if (now >= deadline)
            {
                throw new SendingSuspendedException(suspension.Reason, suspension.Since);
            }

            var slice = PollInterval < deadline - now ? PollInterval : deadline - now;
            await Task.Delay(slice, time, cancellationToken);
        }
    }

    /// <summary>
    /// Takes the app's next probe when it is due: true for exactly one caller across the replicas (claimed in the store,
    /// which moves the next probe <c>Processor:Replies:OutOfCreditsProbeInterval</c> on), which then asks X (<see cref="XAppProbe"/>).
    /// </summary>
    public async Task<bool> TryClaimProbeAsync(CancellationToken cancellationToken)
    {
        if (await SuspensionAsync(cancellationToken) is not { } suspension)
        {
            return false;
        }

        var now = time.GetUtcNow();
        if (suspension.NextProbeAt > now || !await store.ClaimProbeAsync(now, now + options.Value.Replies.OutOfCreditsProbeInterval, cancellationToken))
        {
            return false;
        }

        LogProbing(suspension.Since);
        return true;
    }

    /// <summary>X answered the probe: the suspension is over for every replica (logged once, by the replica that ended it).</summary>
    public async Task ProbeAcceptedAsync(CancellationToken cancellationToken)
    {
        var since = _suspension.TryGetLastKnown(RateLimits.AppKey, out var known) ? known?.Since : null;
        if (await store.ResumeAsync(cancellationToken))
        {
            LogResumed(since ?? time.GetUtcNow());
        }

        _suspension.Set(RateLimits.AppKey, null);
    }

    /// <summary>X still refuses the app for money: the suspension goes on; the next probe is already set.</summary>
    public void ProbeRefused(XApiException refusal) => LogProbeRefused(refusal.StatusCode);

    /// <summary>X refused a send for money: the app is suspended (the first replica to record it tells the operator, once).</summary>
    public async Task OutOfCreditsAsync(XApiException failure, CancellationToken cancellationToken)
    {
        var capped = failure.StatusCode == 429;
        telemetry.SendRefused(capped ? "usage_capped" : "out_of_credits");
        var now = time.GetUtcNow();
        var reason = capped
            ? $"X answered 429 UsageCapExceeded ({(failure.Errors.Count > 0 ? failure.Errors[0].Message : "usage cap exceeded")}): the account is past its spending limit or product cap"
            : "X answered 402: the app is out of credits";
        if (await store.SuspendAsync(reason, now, now + options.Value.Replies.OutOfCreditsProbeInterval, cancellationToken))
        {
            LogSuspended(reason, options.Value.Replies.OutOfCreditsProbeInterval);
        }

        _suspension.Set(RateLimits.AppKey, await store.SuspensionAsync(cancellationToken));
    }

    /// <summary>X accepted a send: a suspension, if any, is over (logged once, by the replica that ended it).</summary>
    public async Task AcceptedAsync(string botUserId, CancellationToken cancellationToken)
    {
        telemetry.Spent(botUserId, "dm_sent", options.Value.Pricing.DirectMessageSend);
        if (_suspension.TryGetLastKnown(RateLimits.AppKey, out var known) && known is not null)
        {
            if (await store.ResumeAsync(cancellationToken))
            {
                LogResumed(known.Since);
            }

            _suspension.Set(RateLimits.AppKey, null);
        }
    }

    /// <summary>The windows X reported on an answer to the bot: a spent one holds its sends back until its reset.</summary>
    public async Task ObservedAsync(string botUserId, XQuota quota, CancellationToken cancellationToken)
    {
        if (quota.IsEmpty)
        {
            return;
        }

        var spent = false;
        foreach (var window in quota.Windows)
        {
            telemetry.QuotaObserved(botUserId, window.Name, window.Remaining);
            rateLimits.Left(window.Name == XQuota.App24HourWindow ? RateLimits.AppKey : botUserId, window.Name, window.Remaining, window.ResetsAt);
            if (window.IsSpent)
            {
                spent = true;
                await rateLimits.SpentAsync(window.Name == XQuota.App24HourWindow ? RateLimits.AppKey : botUserId, window.ResetsAt, cancellationToken);
            }
        }

        var now = time.GetUtcNow();
        if (spent || !_recordedAt.TryGetValue(botUserId, out var recordedAt) || now - recordedAt >= QuotaRecordInterval)
        {
            _recordedAt[botUserId] = now;
            await store.RecordQuotaAsync(botUserId, [.. quota.Windows], now, cancellationToken);
        }
    }

    [LoggerMessage(LogLevel.Error, "{Reason}. Every replica has stopped sending DMs; messages wait in RabbitMQ, none is dropped or dead-lettered. Fix: top up the app's credits, or raise its spending limit, in the X Developer Console (console.x.com). X is probed every {ProbeInterval} (GET /2/users/me, no DM is sent); sending resumes by itself once X answers it.")]
    private partial void LogSuspended(string reason, TimeSpan probeInterval);

    [LoggerMessage(LogLevel.Information, "X accepts the app's sends again (refused for money since {Since:O}); every replica resumes sending.")]
    private partial void LogResumed(DateTimeOffset since);

    [LoggerMessage(LogLevel.Debug, "The app is refused for money since {Since:O}: this replica probes X.")]
    private partial void LogProbing(DateTimeOffset since);

    [LoggerMessage(LogLevel.Debug, "X still refuses the app ({Status}): the partitions stay stopped until a probe gets through.")]
    private partial void LogProbeRefused(int status);
}

/// <summary>X refuses the app for money for longer than a message may wait in place: it is retried later, not dead-lettered.</summary>
public sealed class SendingSuspendedException(string reason, DateTimeOffset since)
    : Exception($"Sending is suspended since {since:O}: {reason}.");

/// <summary>Readiness degraded, with the reason, while X refuses the app for money.</summary>
public sealed class QuotaHealthCheck(SendingQuota quota) : IHealthCheck
{
    public async Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default) =>
        await quota.SuspensionAsync(cancellationToken) is { } suspension
            ? HealthCheckResult.Degraded($"{suspension.Reason} (since {suspension.Since:O}): DMs are not sent. Top up the app's credits or raise its spending limit in the X Developer Console.")
            : HealthCheckResult.Healthy();
}
