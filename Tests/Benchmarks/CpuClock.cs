using System.Globalization;

namespace TwitterBot.Benchmarks;

/// <summary>CPU time used by processes (user + system, from /proc), to say where the cores went.</summary>
public static class CpuClock
{
    private const double TicksPerSecond = 100; // USER_HZ on Linux

    public static TimeSpan Of(int processId)
    {
        var stat = File.ReadAllText($"/proc/{processId}/stat");
        var fields = stat[(stat.LastIndexOf(')') + 2)..].Split(' ');
        var ticks = long.Parse(fields[11], CultureInfo.InvariantCulture) + long.Parse(fields[12], CultureInfo.InvariantCulture);
        return TimeSpan.FromSeconds(ticks / TicksPerSecond);
    }

    /// <summary>Every PostgreSQL server process on this machine (one per connection, plus its workers).</summary>
    public static IReadOnlyList<int> Postgres() =>
        Directory.EnumerateDirectories("/proc").Select(Path.GetFileName).Where(name => name!.All(char.IsAsciiDigit))
            .Select(name => int.Parse(name!, CultureInfo.InvariantCulture))
            .Where(pid => Read($"/proc/{pid}/comm").StartsWith("postgres", StringComparison.Ordinal))
            .ToList();

    /// <summary>CPU time of processes, skipping those that ended meanwhile.</summary>
    public static TimeSpan Of(IEnumerable<int> processIds) =>
        processIds.Aggregate(TimeSpan.Zero, (total, pid) => File.Exists($"/proc/{pid}/stat") ? total + SafeOf(pid) : total);

    private static TimeSpan SafeOf(int processId)
    {
        try
        {
            return Of(processId);
        }
        catch (IOException)
        {
            return TimeSpan.Zero;
        }
    }

    /// <summary>The Erlang VM running RabbitMQ on this machine, if any.</summary>
    public static int? RabbitMq() =>
        Directory.EnumerateDirectories("/proc").Select(Path.GetFileName).Where(name => name!.All(char.IsAsciiDigit))
            .Select(name => int.Parse(name!, CultureInfo.InvariantCulture))
            .FirstOrDefault(pid => Read($"/proc/{pid}/cmdline").Contains("beam.smp", StringComparison.Ordinal) && Read($"/proc/{pid}/cmdline").Contains("rabbit", StringComparison.Ordinal)) is var found and > 0
            ? found
            : null;

    private static string Read(string path)
    {
        try
        {
            return File.ReadAllText(path);
        }
        catch (IOException)
        {
            return string.Empty;
        }
    }
}
