using Microsoft.Extensions.Diagnostics.HealthChecks;
using Microsoft.Extensions.Options;
using Npgsql;
using TwitterBot.Processor.Options;
using TwitterBot.ServiceDefaults;

namespace TwitterBot.Processor.Conversations;

/// <summary>
/// Prepares the conversation store before the bus starts consuming (schema and a session per partition, or
/// the in-memory warning), then forgets finished turns older than <c>Processor:Store:TurnRetention</c> once
/// an hour.
/// </summary>
public sealed partial class ConversationStoreMaintenance(
    IConversationStore store,
    IOptions<ProcessorOptions> options,
    IOptions<RabbitMqOptions> broker,
    TimeProvider time,
    ILogger<ConversationStoreMaintenance> logger) : BackgroundService
{
    private static readonly TimeSpan PurgeInterval = TimeSpan.FromHours(1);

    public override async Task StartAsync(CancellationToken cancellationToken)
    {
        if (store is PostgresConversationStore postgres)
        {
            await postgres.EnsureSchemaAsync(cancellationToken);
            await postgres.WarmUpAsync(broker.Value.ConversationPartitions, cancellationToken);
        }
        else
        {
            LogInMemory();
        }

        await base.StartAsync(cancellationToken);
    }

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        using var timer = new PeriodicTimer(PurgeInterval, time);
        do
        {
            try
            {
                var purged = await store.PurgeTurnsAsync(time.GetUtcNow() - options.Value.Store.TurnRetention, stoppingToken);
                LogPurged(purged);
            }
            catch (NpgsqlException failure)
            {
                LogPurgeFailed(failure.Message);
            }
        }
        while (await timer.WaitForNextTickAsync(stoppingToken));
    }

    [LoggerMessage(LogLevel.Warning, "Processor:Store:Kind is InMemory: conversation state lives in this process only. Run ONE Processor replica, and expect duplicates after a restart. Use Postgres in production.")]
    private partial void LogInMemory();

    [LoggerMessage(LogLevel.Debug, "Purged {Count} finished conversation turns.")]
    private partial void LogPurged(int count);

    [LoggerMessage(LogLevel.Warning, "Purging old conversation turns failed: {Reason}")]
    private partial void LogPurgeFailed(string reason);
}

/// <summary>Ready only while the conversation store answers (memory always does).</summary>
public sealed class ConversationStoreHealthCheck(IConversationStore store) : IHealthCheck
{
    public async Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default)
    {
        if (store is not PostgresConversationStore postgres)
        {
            return HealthCheckResult.Healthy();
        }

        try
        {
            await postgres.PingAsync(cancellationToken);
            return HealthCheckResult.Healthy();
        }
        catch (NpgsqlException failure)
        {
            return HealthCheckResult.Unhealthy("The conversation store (PostgreSQL) does not answer.", failure);
        }
    }
}
