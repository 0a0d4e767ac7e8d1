using System.Collections.Concurrent;
using System.Diagnostics;
using OpenTelemetry;

namespace TwitterBot.Tests.Support;

/// <summary>An in-process span exporter (the SDK's in-memory exporter is not in the feed).</summary>
public sealed class CapturedSpans : BaseProcessor<Activity>
{
    public ConcurrentQueue<Activity> Ended { get; } = new();

    public override void OnEnd(Activity data)
    {
        if (data.Recorded)
        {
            Ended.Enqueue(data);
        }
    }
}
