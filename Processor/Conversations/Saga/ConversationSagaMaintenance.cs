using Microsoft.Extensions.Options;
using Npgsql;
using TwitterBot.Processor.Options;
using TwitterBot.ServiceDefaults;

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
    ILogger<ConversationSagaMaintenance> logger) : BackgroundService, IBeforeBusStart
{
    private static readonly TimeSpan PurgeInterval = TimeSpan.FromHours(1);

    private readonly TaskCompletionSource _prepared = new(TaskCreationOptions.RunContinuationsAsynchronously);

    private bool InPostgres => processor.Value.Store.Kind == ConversationStoreOptions.Postgres;

    public string Server => IBeforeBusStart.ConversationStore;

    public async Task RunAsync(CancellationToken cancellationToken)
    {
        if (InPostgres)
        {
            await services.GetRequiredService<PostgresConversationSagaStore>().EnsureSchemaAsync(cancellationToken);
        }

        _prepared.TrySetResult();
    }

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        await _prepared.Task.WaitAsync(stoppingToken);
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
