using System.Collections.Concurrent;

namespace TwitterBot.Tests.Support;

/// <summary>
/// A clock whose one-shot timers fire at once, moving the clock forward by their due time: every wait the
/// Processor makes (pause, rate limit, upload status) takes no wall-clock time, and is recorded. Periodic
/// timers never fire. A spec may make a wait throw instead, to stop a turn exactly there (a crash).
/// </summary>
public sealed class JumpingClock(DateTimeOffset start) : TimeProvider
{
    private long _ticks = start.UtcTicks;

    /// <summary>Every one-shot wait, in the order they were made.</summary>
    public ConcurrentQueue<TimeSpan> Waits { get; } = new();

    /// <summary>An exception to throw instead of waiting (checked per wait); null waits.</summary>
    public Func<TimeSpan, Exception?> Crash { get; set; } = _ => null;

    public override DateTimeOffset GetUtcNow() => new(Interlocked.Read(ref _ticks), TimeSpan.Zero);

    public override long GetTimestamp() => Interlocked.Read(ref _ticks);

    public override long TimestampFrequency => TimeSpan.TicksPerSecond;

    public void Advance(TimeSpan by) => Interlocked.Add(ref _ticks, by.Ticks);

    public override ITimer CreateTimer(TimerCallback callback, object? state, TimeSpan dueTime, TimeSpan period)
    {
        if (period != Timeout.InfiniteTimeSpan || dueTime == Timeout.InfiniteTimeSpan)
        {
            return new Dormant();
        }

        if (Crash(dueTime) is { } crash)
        {
            throw crash;
        }

        Waits.Enqueue(dueTime);
        Advance(dueTime);
        ThreadPool.QueueUserWorkItem(_ => callback(state));
        return new Dormant();
    }

    private sealed class Dormant : ITimer
    {
        public bool Change(TimeSpan dueTime, TimeSpan period) => true;

        public void Dispose()
        {
        }

        public ValueTask DisposeAsync() => ValueTask.CompletedTask;
    }
}

/// <summary>The process stopping at this point, as a spec simulates it.</summary>
public sealed class SimulatedCrashException() : Exception("The Processor stopped here (simulated).");
