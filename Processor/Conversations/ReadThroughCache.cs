using System.Collections.Concurrent;
using System.Diagnostics.CodeAnalysis;

namespace TwitterBot.Processor.Conversations;

/// <summary>
/// What this replica last read from (or wrote to) the shared store, per key, read again once it is
/// <c>freshness</c> old: other replicas' writes show up that late at most, this replica's own at once.
/// </summary>
public sealed class ReadThroughCache<TKey, TValue>(TimeSpan freshness, TimeProvider time)
    where TKey : notnull
{
    private readonly ConcurrentDictionary<TKey, (DateTimeOffset ReadAt, TValue Value)> _entries = new();

    public TimeSpan Freshness => freshness;

    /// <summary>The value for <paramref name="key"/>: the one known when fresh, else <paramref name="read"/>'s, kept from now.</summary>
    public async ValueTask<TValue> GetAsync(TKey key, Func<TKey, CancellationToken, Task<TValue>> read, CancellationToken cancellationToken)
    {
        var now = time.GetUtcNow();
        if (_entries.TryGetValue(key, out var known) && now - known.ReadAt < freshness)
        {
            return known.Value;
        }

        var value = await read(key, cancellationToken);
        _entries[key] = (now, value);
        return value;
    }

    /// <summary>This replica just wrote <paramref name="value"/> to the store: it is known from now, without a read.</summary>
    public void Set(TKey key, TValue value) => _entries[key] = (time.GetUtcNow(), value);

    /// <summary>The value last known for <paramref name="key"/>, however old.</summary>
    public bool TryGetLastKnown(TKey key, [MaybeNullWhen(false)] out TValue value)
    {
        var found = _entries.TryGetValue(key, out var known);
        value = known.Value;
        return found;
    }
}
