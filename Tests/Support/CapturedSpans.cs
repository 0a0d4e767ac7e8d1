using System.Collections;
using System.Diagnostics;
using Microsoft.Extensions.DependencyInjection;
using OpenTelemetry.Trace;

namespace TwitterBot.Tests.Support;

/// <summary>
/// The spans one host exports, read from OpenTelemetry's in-memory exporter added to the host's own
/// <c>AddOpenTelemetry()</c> pipeline, so a spec sees what the production wiring exports. Thread-safe: the
/// exporter adds while a spec reads.
/// </summary>
public sealed class CapturedSpans
{
    private readonly List<Activity> _spans = [];
    private readonly List<(Func<Activity, bool> Match, TaskCompletionSource<Activity> Found)> _waiters = [];
    private readonly Lock _gate = new();

    /// <summary>A snapshot of the spans exported so far.</summary>
    public IReadOnlyList<Activity> Ended
    {
        get
        {
            lock (_gate)
            {
                return [.. _spans];
            }
        }
    }

    /// <summary>Adds the in-memory exporter, writing here, to the tracer provider the service configures.</summary>
    public void ExportFrom(IServiceCollection services) =>
        services.ConfigureOpenTelemetryTracerProvider(tracing => tracing.AddInMemoryExporter(new ExportedSpanCollection(this)));

    /// <summary>The first exported span that matches, already exported or exported within <paramref name="within"/>.</summary>
    public async Task<Activity> WaitForAsync(Func<Activity, bool> match, TimeSpan within)
    {
        var found = new TaskCompletionSource<Activity>(TaskCreationOptions.RunContinuationsAsynchronously);
        lock (_gate)
        {
            var span = _spans.FirstOrDefault(match);
            if (span is not null)
            {
                return span;
            }

            _waiters.Add((match, found));
        }

        return await found.Task.WaitAsync(within);
    }

    private void Add(Activity span)
    {
        lock (_gate)
        {
            _spans.Add(span);
            foreach (var waiter in _waiters.Where(waiter => waiter.Match(span)).ToList())
            {
                _waiters.Remove(waiter);
                waiter.Found.TrySetResult(span);
            }
        }
    }

    /// <summary>What the in-memory exporter writes to (it only ever adds).</summary>
    private sealed class ExportedSpanCollection(CapturedSpans owner) : ICollection<Activity>
    {
        public int Count => owner.Ended.Count;

        public bool IsReadOnly => false;

        public void Add(Activity item) => owner.Add(item);

        public void Clear() => throw new NotSupportedException();

        public bool Contains(Activity item) => owner.Ended.Contains(item);

        public void CopyTo(Activity[] array, int arrayIndex) => owner.Ended.ToArray().CopyTo(array, arrayIndex);

        public bool Remove(Activity item) => throw new NotSupportedException();

        public IEnumerator<Activity> GetEnumerator() => owner.Ended.GetEnumerator();

        IEnumerator IEnumerable.GetEnumerator() => GetEnumerator();
    }
}
