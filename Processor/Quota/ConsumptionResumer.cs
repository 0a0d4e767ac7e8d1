using TwitterBot.Processor.Clients.X;
using TwitterBot.Processor.Conversations;

namespace TwitterBot.Processor.Quota;

/// <summary>
/// Starts the partitions the <see cref="ConsumptionGate"/> stopped, when the store says they may go on: the app's
/// suspension over (this replica's probe or another's went through) or its window reset, a bot's window reset. While the
/// app is suspended it probes X without a message each time the store's probe is due and this replica claims it
/// (<see cref="XAppProbe"/>): the partitions stay stopped, so a waiting message costs no delivery per probe. Idle (no
/// store read) while nothing is held and no suspension is known.
/// </summary>
public sealed partial class ConsumptionResumer(
    ConsumptionGate gate, SendingQuota quota, XAppProbe probe, IBotThrottles store, TimeProvider time, ILogger<ConsumptionResumer> logger) : BackgroundService
{
    /// <summary>
    /// How often it looks, in real time: the instants it compares come from the Processor's clock, but a clock a
    /// spec makes jump would make a wait on it a busy loop.
    /// </summary>
    public static readonly TimeSpan PollInterval = TimeSpan.FromSeconds(1);

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        while (!stoppingToken.IsCancellationRequested)
        {
            try
            {
                await Task.Delay(PollInterval, TimeProvider.System, stoppingToken);
                await CheckAsync(stoppingToken);
            }
            catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
            {
                return;
            }
            catch (Exception failure)
            {
                // The store unreachable for a moment: the partitions stay as they are until the next look.
                LogCheckFailed(failure);
            }
        }
    }

    /// <summary>One look: releases what may go on, probes X when the probe is due.</summary>
    public async Task CheckAsync(CancellationToken cancellationToken)
    {
        var now = time.GetUtcNow();
        await gate.ReleaseDueAsync(now, cancellationToken);
        if (gate.HeldApp is not null || quota.KnowsOfSuspension)
        {
            await ProbeIfDueAsync(cancellationToken);
        }

        if (gate.HeldApp is not { } hold)
        {
            return;
        }

        var suspension = await store.SuspensionAsync(cancellationToken);
        var appReset = await store.GetRateLimitResetAsync(RateLimits.AppKey, cancellationToken);
        if (suspension is null && (appReset is null || appReset <= now) && (hold.Until is null || hold.Until <= now))
        {
            await gate.ReleaseAppAsync(cancellationToken);
        }
    }

    private async Task ProbeIfDueAsync(CancellationToken cancellationToken)
    {
        if (!await quota.TryClaimProbeAsync(cancellationToken))
        {
            return;
        }

        try
        {
            await probe.ProbeAsync(cancellationToken);
        }
        catch (XApiException refused) when (refused.Kind == XFailureKind.OutOfCredits)
        {
            quota.ProbeRefused(refused);
            return;
        }
        catch (Exception failure) when (failure is XApiException or XOutcomeUnknownException or HttpRequestException)
        {
            // Proves nothing about money (a 401, a 5xx, no answer): the suspension stands until a probe X answers.
            LogProbeFailed(failure.Message);
            return;
        }

        await quota.ProbeAcceptedAsync(cancellationToken);
    }

    [LoggerMessage(LogLevel.Warning, "The app's probe of X failed ({Reason}); it proves nothing about the app's credits, so sending stays suspended until the next probe.")]
    private partial void LogProbeFailed(string reason);

    [LoggerMessage(LogLevel.Warning, "Could not check whether the held conversation partitions may be consumed again; the next look tries again.")]
    private partial void LogCheckFailed(Exception failure);
}
