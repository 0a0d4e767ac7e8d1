using MassTransit;
using TwitterBot.Contracts;

namespace TwitterBot.Processor.Consumers;

/// <summary>Reports the end of an X Replay job, so that an operator sees whether to rerun it.</summary>
public sealed partial class ReplayJobStatusReportedConsumer(ILogger<ReplayJobStatusReportedConsumer> logger) : IConsumer<ReplayJobStatusReported>
{
    public Task Consume(ConsumeContext<ReplayJobStatusReported> context)
    {
        var status = context.Message;
        if (string.Equals(status.JobState, "Complete", StringComparison.OrdinalIgnoreCase))
        {
            LogCompleted(status.JobId, status.WebhookId);
        }
        else
        {
            LogNotCompleted(status.JobId, status.WebhookId, status.JobState, status.Description);
        }

        return Task.CompletedTask;
    }

    [LoggerMessage(LogLevel.Information, "X Replay job {JobId} for webhook {WebhookId} completed.")]
    private partial void LogCompleted(string jobId, string? webhookId);

    [LoggerMessage(LogLevel.Warning, "X Replay job {JobId} for webhook {WebhookId} ended {JobState}: {Description}. Request the same window again.")]
    private partial void LogNotCompleted(string jobId, string? webhookId, string jobState, string? description);
}
