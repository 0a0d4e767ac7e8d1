using Microsoft.Extensions.Options;
using Npgsql;
using TwitterBot.Processor.Options;

namespace TwitterBot.Processor.Conversations.Saga;

/// <summary>
/// Creates the <c>conversations</c> table before the bus starts consuming, then forgets conversations idle
/// longer than <c>Processor:Conversations:ExpireAfter</c> once an hour. Nothing to do for the in-memory store.
/// </summary>
public sealed partial class ConversationSagaMaintenance(
    IServiceProvider services,
    IOptions<ProcessorOptions> processor,
    IOptions<ConversationOptions> options,
    TimeProvider time,
    ILogger<ConversationSagaMaintenance> logger) : BackgroundService
{
    private static readonly TimeSpan PurgeInterval = TimeSpan.FromHours(1);

    private bool InPostgres => processor.Value.Store.Kind == ConversationStoreOptions.Postgres;

    public override async Task StartAsync(CancellationToken cancellationToken)
    {
        if (InPostgres)
        {
            await services.GetRequiredService<PostgresConversationSagaStore>().EnsureSchemaAsync(cancellationToken);
        }

        await base.StartAsync(cancellationToken);
    }

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        if (!InPostgres)
        {
            return;
        }

        var store = services.GetRequiredService<PostgresConversationSagaStore>();
        using var timer = new PeriodicTimer(PurgeInterval, time);
        do
        {
            try
            {
                LogPurged(await store.PurgeIdleAsync(time.GetUtcNow() - options.Value.ExpireAfter, stoppingToken));
            }
            catch (NpgsqlException failure)
            {
                LogPurgeFailed(failure.Message);
            }
        }
        while (await timer.WaitForNextTickAsync(stoppingToken));
    }

    [LoggerMessage(LogLevel.Debug, "Forgot {Count} idle conversations.")]
    private partial void LogPurged(int count);

    [LoggerMessage(LogLevel.Warning, "Forgetting idle conversations failed: {Reason}")]
    private partial void LogPurgeFailed(string reason);
}
