using System.Diagnostics;
using System.Globalization;
using System.Net;

namespace TwitterBot.Benchmarks;

/// <summary>
/// Start-up to ready (<c>build/bench.sh startup</c>): starts each published service <c>--starts</c> times
/// (10 by default) against the running broker and PostgreSQL, and times process start → the first
/// <c>/health/ready</c> 200. One unmeasured start of each comes first: it creates the virtual host's
/// topology and the database's schema, so the measured starts are a replica joining a running deployment.
/// </summary>
public static class StartupRun
{
    // Fine enough to resolve tens of milliseconds; ServiceProcess's own 200 ms poll is not.
    private static readonly TimeSpan Poll = TimeSpan.FromMilliseconds(5);

    public static async Task<int> RunAsync(BenchmarkProfile profile, int starts, TextWriter log)
    {
        await using var infrastructure = await Infrastructure.CreateAsync();
        await using var fakes = new FastFakes();
        await fakes.StartAsync();
        var settings = BenchmarkRun.Settings(infrastructure, fakes, profile.Partitions);

        foreach (var (key, value) in profile.Environment ?? new Dictionary<string, string>())
        {
            settings[key] = value;
            log.WriteLine($"{key}={value}");
        }

        using var client = new HttpClient { Timeout = TimeSpan.FromSeconds(5) };
        var services = new[]
        {
            (Name: "Ingress", Directory: profile.IngressDirectory, Dll: "TwitterBot.Ingress.dll"),
            (Name: "Processor", Directory: profile.ProcessorDirectory, Dll: "TwitterBot.Processor.dll"),
        };

        log.WriteLine("| service | first start (creates topology / schema) | median | p90 | min | max | starts |");
        log.WriteLine("| --- | --- | --- | --- | --- | --- | --- |");
        foreach (var (name, directory, dll) in services)
        {
            var first = await StartToReadyAsync(client, directory, dll, settings);
            var times = new List<double>();
            for (var i = 0; i < starts; i++)
            {
                times.Add(await StartToReadyAsync(client, directory, dll, settings));
            }

            log.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"| {name} | {first:F0} ms | {Percentiles.Of(times, 50):F0} ms | {Percentiles.Of(times, 90):F0} ms | {times.Min():F0} ms | {times.Max():F0} ms | {starts} |"));
        }

        return 0;
    }

    /// <returns>Milliseconds from just before the process is started to its first ready answer.</returns>
    private static async Task<double> StartToReadyAsync(HttpClient client, string directory, string dll, IEnumerable<KeyValuePair<string, string?>> settings)
    {
        var start = Stopwatch.GetTimestamp();
        await using var service = ServiceProcess.Start(directory, dll, settings);
        var ready = new Uri(service.BaseAddress, "health/ready");
        while (Stopwatch.GetElapsedTime(start) < TimeSpan.FromMinutes(1))
        {
            if (service.HasExited)
            {
                throw new InvalidOperationException($"{dll} exited before it was ready:\n{service.Output}");
            }

            try
            {
                using var response = await client.GetAsync(ready);
                if (response.StatusCode == HttpStatusCode.OK)
                {
                    return Stopwatch.GetElapsedTime(start).TotalMilliseconds;
                }
            }
            catch (HttpRequestException)
            {
                // not listening yet
            }
            catch (TaskCanceledException)
            {
                // a readiness answer slower than the client's timeout: ask again
            }

            await Task.Delay(Poll);
        }

        throw new TimeoutException($"{dll} was not ready within a minute:\n{service.Output}");
    }
}
