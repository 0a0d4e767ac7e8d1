namespace TwitterBot.Contracts;

/// <summary>
/// X reported the state of a Replay job (<c>replay_job_status</c>), sent after it re-delivered a window of
/// events; operators rerun a job that did not complete.
/// </summary>
public sealed record ReplayJobStatusReported
{
    public required string JobId { get; init; }

    public string? WebhookId { get; init; }

    /// <summary>X's state word, e.g. <c>Complete</c> or <c>Failed</c>.</summary>
    public required string JobState { get; init; }

    public string? Description { get; init; }
}
