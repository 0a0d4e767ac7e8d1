namespace TwitterBot.Processor.XAccount;

/// <summary>X's rules for a Replay window, checked before X is asked (X answers a bad window with a bare 400).</summary>
public static class ReplayWindow
{
    /// <summary>X keeps events for Replay this long.</summary>
    public static readonly TimeSpan MaxAge = TimeSpan.FromDays(5);

    /// <summary>X replays only events at least about this old: newer ones may still be on their way.</summary>
    public static readonly TimeSpan MinAge = TimeSpan.FromMinutes(30);

    /// <returns>Why the window cannot be replayed, or null when it can.</returns>
    public static string? Problem(DateTimeOffset from, DateTimeOffset to, DateTimeOffset now) => (from, to) switch
    {
        _ when from >= to => $"--from ({from:u}) must be before --to ({to:u}).",
        _ when from < now - MaxAge => $"--from ({from:u}) is more than 5 days ago; X replays only the last 5 days (from {now - MaxAge:u}).",
        _ when to > now - MinAge => $"--to ({to:u}) is newer than 30 minutes ago; X replays only events older than that (until {now - MinAge:u}). Wait, or end the window earlier.",
        _ => null,
    };
}
