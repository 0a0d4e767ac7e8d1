using Microsoft.Extensions.Diagnostics.HealthChecks;
using Microsoft.Extensions.Options;
using Npgsql;
using TwitterBot.Processor.Options;
using TwitterBot.ServiceDefaults;

namespace TwitterBot.Processor.Conversations;

/// <summary>
/// Prepares the conversation storage before the bus starts consuming (the schema, or the in-memory warning), then
/// opens a session per partition beside the bus's start and forgets finished turns older than
/// <c>Processor:Store:TurnRetention</c> once an hour.
/// </summary>
public sealed partial class ConversationStoreMaintenance(
    IConversationStorage storage,
    ITurnLedger turns,
    IOptions<ProcessorOptions> options,
    TimeProvider time,
    ILogger<ConversationStoreMaintenance> logger) : BackgroundService, IBeforeBusStart
{
    private static readonly TimeSpan PurgeInterval = TimeSpan.FromHours(1);

    private readonly TaskCompletionSource _prepared = new(TaskCreationOptions.RunContinuationsAsynchronously);

    public string Server => IBeforeBusStart.ConversationStore;

    public async Task RunAsync(CancellationToken cancellationToken)
    {
        await storage.PrepareAsync(cancellationToken);
        _prepared.TrySetResult();
    }

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        await _prepared.Task.WaitAsync(stoppingToken);
        try
        {
            await storage.WarmUpAsync(stoppingToken);
        }
        catch (NpgsqlException failure)
        {
            LogWarmUpFailed(failure.Message);
        }

        using var timer = new PeriodicTimer(PurgeInterval, time);
        do
        {
            try
            {
                var purged = await turns.PurgeTurnsAsync(time.GetUtcNow() - options.Value.Store.TurnRetention, stoppingToken);
                LogPurged(purged);
            }
            catch (NpgsqlException failure)
            {
                LogPurgeFailed(failure.Message);
            }
        }
        while (await timer.WaitForNextTickAsync(stoppingToken));
    }

    [LoggerMessage(LogLevel.Debug, "Purged {Count} finished conversation turns.")]
    private partial void LogPurged(int count);

    [LoggerMessage(LogLevel.Warning, "Opening the partitions' PostgreSQL sessions ahead of the first DMs failed (they open their own): {Reason}")]
    private partial void LogWarmUpFailed(string reason);

    [LoggerMessage(LogLevel.Warning, "Purging old conversation turns failed: {Reason}")]
    private partial void LogPurgeFailed(string reason);
}

/// <summary>Ready only while the conversation storage answers (memory always does).</summary>
public sealed class ConversationStoreHealthCheck(IConversationStorage storage) : IHealthCheck
{
    public async Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default)
    {
        try
        {
            await storage.PingAsync(cancellationToken);
            return HealthCheckResult.Healthy();
        }
        catch (NpgsqlException failure)
        {
            return HealthCheckResult.Unhealthy("The conversation store (PostgreSQL) does not answer.", failure);
        }
    }
}
