using System.Collections.Concurrent;
using System.Diagnostics.Metrics;

namespace TwitterBot.Tests.Support;

/// <summary>Collects the measurements of one host's meters (matched by the host's IMeterFactory).</summary>
public sealed class MeasuredMetrics : IDisposable
{
    private readonly MeterListener _listener = new();

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

    public void Dispose() => _listener.Dispose();

    private void Record(Instrument instrument, long value, ReadOnlySpan<KeyValuePair<string, object?>> tags)
    {
        var key = $"{instrument.Name}{{{string.Join(',', tags.ToArray().Select(t => $"{t.Key}={t.Value}"))}}}";
        Totals.AddOrUpdate(key, value, (_, total) => total + value);
    }
}
