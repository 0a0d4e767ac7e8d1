using System.Collections.Concurrent;
using System.Diagnostics.Metrics;

namespace TwitterBot.Tests.Support;

/// <summary>Collects the measurements of one host's meters (matched by the host's IMeterFactory).</summary>
public sealed class MeasuredMetrics : IDisposable
{
    private readonly MeterListener _listener = new();
    private readonly List<(string Key, long Total, TaskCompletionSource Reached)> _waiters = [];
    private readonly Lock _gate = new();

    public MeasuredMetrics(IMeterFactory meters, string meterName)
    {
        _listener.InstrumentPublished = (instrument, listener) =>
        {
            if (instrument.Meter.Scope == meters && instrument.Meter.Name == meterName)
            {
                listener.EnableMeasurementEvents(instrument);
            }
        };
        _listener.SetMeasurementEventCallback<long>((instrument, value, tags, _) => Record(instrument, value, tags));
        _listener.SetMeasurementEventCallback<double>((instrument, _, tags, _) => Record(instrument, 1, tags));
        _listener.Start();
    }

    /// <summary>Sum of counter values (or count of histogram samples) by instrument and tag values.</summary>
    public ConcurrentDictionary<string, long> Totals { get; } = new();

    /// <summary>
    /// Waits until <paramref name="key"/> (as in <see cref="Totals"/>) reaches <paramref name="total"/>: for
    /// measurements taken after the event a spec waits for (e.g. by another observer of the same fault).
    /// </summary>
    public async Task WaitForAsync(string key, long total, TimeSpan within)
    {
        var reached = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        lock (_gate)
        {
            if (Totals.GetValueOrDefault(key) >= total)
            {
                return;
            }

            _waiters.Add((key, total, reached));
        }

        await reached.Task.WaitAsync(within);
    }

    public void Dispose() => _listener.Dispose();

    private void Record(Instrument instrument, long value, ReadOnlySpan<KeyValuePair<string, object?>> tags)
    {
        var key = $"{instrument.Name}{{{string.Join(',', tags.ToArray().Select(t => $"{t.Key}={t.Value}"))}}}";
        lock (_gate)
        {
            var total = Totals.AddOrUpdate(key, value, (_, sum) => sum + value);
            foreach (var waiter in _waiters.Where(waiter => waiter.Key == key && total >= waiter.Total).ToList())
            {
                _waiters.Remove(waiter);
                waiter.Reached.TrySetResult();
            }
        }
    }
}
