using TwitterBot.Processor.Conversations;

namespace TwitterBot.Processor.Quota;

/// <summary>
/// Starts the partitions the <see cref="ConsumptionGate"/> stopped, when the store says they may go on: the app's
/// suspension over (another replica's probe went through) or its window reset, a bot's window reset; and while the
/// app is suspended, one partition each time the store's probe is due. Idle (no store read) while nothing is held.
/// </summary>
public sealed partial class ConsumptionResumer(ConsumptionGate gate, IBotThrottles store, TimeProvider time, ILogger<ConsumptionResumer> logger) : BackgroundService
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

    /// <summary>One look: releases what may go on, starts a probe partition when the probe is due.</summary>
    public async Task CheckAsync(CancellationToken cancellationToken)
    {
        var now = time.GetUtcNow();
        await gate.ReleaseDueAsync(now, cancellationToken);
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
        else if (suspension is { } suspended && suspended.NextProbeAt <= now)
        {
            await gate.StartProbeAsync(cancellationToken);
        }
    }

    [LoggerMessage(LogLevel.Warning, "Could not check whether the held conversation partitions may be consumed again; the next look tries again.")]
    private partial void LogCheckFailed(Exception failure);
}
