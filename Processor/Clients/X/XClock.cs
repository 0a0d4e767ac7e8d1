using System.Net.Http.Headers;

namespace TwitterBot.Processor.Clients.X;

/// <summary>
/// How far X's clock is from ours, as last read from the <c>Date</c> header of X's answers to the DM channel:
/// what bounds a reply lookup to DMs X created after the send began, by X's own clock. One per process.
/// </summary>
public sealed class XClock(TimeProvider time)
{
    /// <summary>
    /// <c>Date</c> has whole seconds and is stamped before the answer travels back, so the estimate is up to
    /// about a second early; this much before the send began, by X's clock, still counts.
    /// </summary>
    public static readonly TimeSpan Tolerance = TimeSpan.FromSeconds(2);

    /// <summary>Until X's <c>Date</c> was ever seen: how far the two clocks may be apart.</summary>
    public static readonly TimeSpan UnmeasuredSkew = TimeSpan.FromMinutes(2);

    private const long NotSeen = long.MinValue;

    private long _offsetTicks = NotSeen;

    /// <summary>X's time minus ours, when X's <c>Date</c> was ever seen.</summary>
    public TimeSpan? Offset => Interlocked.Read(ref _offsetTicks) is var ticks and not NotSeen ? TimeSpan.FromTicks(ticks) : null;

    /// <summary>Takes X's time from one of its answers (the latest answer wins).</summary>
    public void Observe(HttpResponseHeaders headers)
    {
        if (headers.Date is { } date)
        {
            Interlocked.Exchange(ref _offsetTicks, (date - time.GetUtcNow()).Ticks);
        }
    }

    /// <summary>The earliest time, on X's clock, that a DM whose send began at <paramref name="since"/> (ours) can carry.</summary>
    public DateTimeOffset EarliestSince(DateTimeOffset since) =>
        since == DateTimeOffset.MinValue ? since
        : Offset is { } offset ? since + offset - Tolerance
        : since - UnmeasuredSkew;
}
