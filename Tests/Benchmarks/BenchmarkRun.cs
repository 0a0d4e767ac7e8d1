using System.Diagnostics;
using System.Globalization;
using System.Text;
using TwitterBot.Conventions.Queues;

namespace TwitterBot.Benchmarks;

/// <summary>Runs every benchmark in order against real processes and writes the report.</summary>
public static class BenchmarkRun
{
    private const int Concurrency = 256;
    private const string FindingsHeading = "## Findings";
    private const int PipelineRate = 20;

    public static async Task<int> RunAsync(BenchmarkProfile profile, TextWriter log)
    {
        var report = new StringBuilder();
        await using var infrastructure = await Infrastructure.CreateAsync();
        await using var fakes = new FastFakes();
        await fakes.StartAsync();
        var settings = Settings(infrastructure, fakes, profile.Partitions);
        if (profile.WorkstationGc)
        {
            settings["DOTNET_gcServer"] = "0";
        }

        foreach (var (key, value) in profile.Environment ?? new Dictionary<string, string>())
        {
            settings[key] = value;
            log.WriteLine($"{key}={value}");
        }

        var partitions = DurableQueues.ConversationPartitions(profile.Partitions).ToList();
        var rabbit = CpuClock.RabbitMq();
        using var client = LoadGenerator.CreateClient();
        var load = new LoadGenerator(client);
        var results = new Results();

        // 1 and 3: the Ingress alone (no Processor: the queues keep what it accepted, for the zero-loss count).
        await using (var ingress = ServiceProcess.Start(profile.IngressDirectory, "TwitterBot.Ingress.dll", settings))
        {
            await ingress.WaitUntilReadyAsync(TimeSpan.FromMinutes(1));
            var webhook = new Uri(ingress.BaseAddress, "webhooks");
            await load.PostWebhooksAsync(webhook, 200, TimeSpan.FromSeconds(2), 9_000_000); // warm-up: JIT, connections, topology
            await infrastructure.PurgeAsync(partitions);

            results.CrcIdle = await CrcAsync(client, ingress.BaseAddress, profile.Hold > TimeSpan.FromSeconds(10) ? 2000 : 100, CancellationToken.None);
            log.WriteLine($"CRC idle: p50 {Percentiles.Of(results.CrcIdle, 50):F2} ms, p99 {Percentiles.Of(results.CrcIdle, 99):F2} ms");

            foreach (var rate in profile.Rates)
            {
                using var crcLoop = new CancellationTokenSource();
                var crcUnderLoad = CrcAsync(client, ingress.BaseAddress, int.MaxValue, crcLoop.Token, TimeSpan.FromMilliseconds(20));
                var cpuBefore = (Ingress: CpuClock.Of(ingress.Id), Rabbit: rabbit is { } r0 ? CpuClock.Of(r0) : TimeSpan.Zero, Generator: CpuClock.Of(Environment.ProcessId));
                var run = await load.PostWebhooksAsync(webhook, rate, profile.Hold, 10_000_000L * (rate + 1));
                var cpu = new CpuShare(
                    CpuClock.Of(ingress.Id) - cpuBefore.Ingress,
                    (rabbit is { } r1 ? CpuClock.Of(r1) : TimeSpan.Zero) - cpuBefore.Rabbit,
                    CpuClock.Of(Environment.ProcessId) - cpuBefore.Generator,
                    run.Elapsed);
                await crcLoop.CancelAsync();
                var crc = await crcUnderLoad;
                var queued = await infrastructure.ReadyAsync(partitions);
                await infrastructure.PurgeAsync(partitions);
                results.Ingress.Add((rate, run, queued, crc, cpu, ingress.PeakRssMib()));
                log.WriteLine($"Ingress at {rate}/s: {run.AcceptedPerSecond:F0} accepted/s, p99 {Percentiles.Of(run.LatenciesMs, 99):F1} ms, {run.Failed} failed, queued {queued} of {run.Accepted} accepted");
            }

            results.IngressRssMib = ingress.PeakRssMib();

            // Issue 16's comparison, after the peak RSS above (overload would raise it): the Ingress's sustained rate.
            if (profile.CompareRate > 0)
            {
                results.IngressCompared = await load.PostWebhooksAsync(webhook, profile.CompareRate, profile.Hold, 30_000_000_000L);
                await infrastructure.PurgeAsync(partitions);
                log.WriteLine($"Ingress offered {profile.CompareRate}/s: {results.IngressCompared.AcceptedPerSecond:F0} accepted/s");
            }
        }

        // 2: the broker's ceiling at the same concurrency.
        await using (var baseline = await Baseline.StartAsync(infrastructure.Name, profile.Partitions))
        {
            results.BaselinePerSecond = await baseline.PublishForAsync(Concurrency, profile.BaselineHold, 50_000_000);
            await infrastructure.PurgeAsync(partitions);
            log.WriteLine($"Baseline: {results.BaselinePerSecond:F0} confirmed publishes/s");

            // ... and the minimal endpoint's, offered the same rate by the same generator.
            if (profile.CompareRate > 0)
            {
                await using var endpoint = new BaselineEndpoint(baseline);
                await endpoint.StartAsync();
                await load.PostWebhooksAsync(endpoint.Webhook, 200, TimeSpan.FromSeconds(2), 9_000_000); // the same warm-up as the Ingress's
                results.EndpointCompared = await load.PostWebhooksAsync(endpoint.Webhook, profile.CompareRate, profile.Hold, 31_000_000_000L);
                await infrastructure.PurgeAsync(partitions);
                log.WriteLine($"Baseline endpoint offered {profile.CompareRate}/s: {results.EndpointCompared.AcceptedPerSecond:F0} accepted/s");
            }

            // 4: pipeline overhead, webhook sent → DM send started at X, at light load.
            await using (var ingress = ServiceProcess.Start(profile.IngressDirectory, "TwitterBot.Ingress.dll", settings))
            await using (var processor = ServiceProcess.Start(profile.ProcessorDirectory, "TwitterBot.Processor.dll", settings))
            {
                await ingress.WaitUntilReadyAsync(TimeSpan.FromMinutes(1));
                await processor.WaitUntilReadyAsync(TimeSpan.FromMinutes(1));

                // Warm-up: JIT, connection pools and every partition's consumer, before anything is measured.
                const int warmUpOffset = 70_000_000;
                await baseline.PublishCountAsync(profile.Partitions * 8, profile.Partitions, warmUpOffset);
                await WaitForAsync(() => fakes.DeliveredAt.Count >= profile.Partitions * 8, TimeSpan.FromMinutes(1));
                var sentAt = new long[profile.PipelineMessages];
                await load.PostWebhooksAsync(new Uri(ingress.BaseAddress, "webhooks"), PipelineRate,
                    TimeSpan.FromSeconds((double)profile.PipelineMessages / PipelineRate), 20_000_000, (index, due) => sentAt[index] = due);
                await WaitForAsync(() => Enumerable.Range(0, profile.PipelineMessages).All(i => fakes.DeliveredAt.ContainsKey(Webhooks.UserId(i))), TimeSpan.FromMinutes(1));
                results.Pipeline = Enumerable.Range(0, profile.PipelineMessages)
                    .Select(i => Stopwatch.GetElapsedTime(sentAt[i], fakes.DeliveredAt[Webhooks.UserId(i)]).TotalMilliseconds).ToList();
                log.WriteLine($"Pipeline: p50 {Percentiles.Of(results.Pipeline, 50):F1} ms, p99 {Percentiles.Of(results.Pipeline, 99):F1} ms");
            }

            // 5: Processor throughput: a backlog of one DM per user, drained by a Processor started after it.
            const int offset = 60_000_000;
            await baseline.PublishCountAsync(profile.ProcessorMessages, Concurrency, offset);
            await using var drainer = ServiceProcess.Start(profile.ProcessorDirectory, "TwitterBot.Processor.dll", settings);
            await drainer.WaitUntilReadyAsync(TimeSpan.FromMinutes(1));
            var before = (Processor: CpuClock.Of(drainer.Id), Rabbit: rabbit is { } r2 ? CpuClock.Of(r2) : TimeSpan.Zero, Postgres: CpuClock.Of(CpuClock.Postgres()), Tool: CpuClock.Of(Environment.ProcessId));
            var drainClock = Stopwatch.StartNew();
            var backlog = new HashSet<string>(Enumerable.Range(offset, profile.ProcessorMessages).Select(Webhooks.UserId));
            await WaitForAsync(() => fakes.DeliveredAt.Keys.Count(backlog.Contains) >= profile.ProcessorMessages, TimeSpan.FromMinutes(10));
            var drained = fakes.DeliveredAt.Where(d => backlog.Contains(d.Key)).Select(d => d.Value).ToList();
            results.ProcessorPerSecond = (profile.ProcessorMessages - 1) / Stopwatch.GetElapsedTime(drained.Min(), drained.Max()).TotalSeconds;
            results.ProcessorRssMib = drainer.PeakRssMib();
            results.ProcessorCpu = new CpuShare(
                CpuClock.Of(drainer.Id) - before.Processor,
                (rabbit is { } r3 ? CpuClock.Of(r3) : TimeSpan.Zero) - before.Rabbit,
                CpuClock.Of(Environment.ProcessId) - before.Tool,
                drainClock.Elapsed,
                CpuClock.Of(CpuClock.Postgres()) - before.Postgres);
            log.WriteLine($"Processor: {results.ProcessorPerSecond:F0} messages/s (first to last DM), peak RSS {results.ProcessorRssMib:F0} MiB");
        }

        // The hand-written findings (what the numbers mean, what was changed) survive a new run.
        var findings = File.Exists(profile.Output) ? await File.ReadAllTextAsync(profile.Output) : string.Empty;
        findings = findings.Contains(FindingsHeading, StringComparison.Ordinal) ? findings[findings.IndexOf(FindingsHeading, StringComparison.Ordinal)..] : string.Empty;
        await File.WriteAllTextAsync(profile.Output, Report(profile, results, await infrastructure.VersionsAsync()) + Environment.NewLine + findings);
        log.WriteLine($"Wrote {profile.Output}");
        return results.Ingress.All(r => r.Queued == r.Run.Accepted) ? 0 : 1;
    }

    internal static Dictionary<string, string?> Settings(Infrastructure infrastructure, FastFakes fakes, int partitions)
    {
        var settings = TestCredentials.BotSettings();
        settings["TwitterBot:Api:TwitterUrl"] = new Uri(fakes.BaseAddress, "1.1/").ToString();
        settings["Gateway:Url"] = fakes.BaseAddress.ToString();
        settings["Messaging:Rabbit:Hosts:0"] = $"{Infrastructure.AmqpHost}:5672";
        settings["Messaging:Rabbit:Username"] = "guest";
        settings["Messaging:Rabbit:Password"] = "guest";
        settings["Messaging:Rabbit:VirtualHost"] = infrastructure.Name;
        settings["Messaging:Rabbit:ConversationPartitions"] = partitions.ToString(CultureInfo.InvariantCulture);
        settings["Processor:Store:ConnectionString"] = infrastructure.DatabaseConnectionString;
        // The webhook template's DMs were written in 2024 (see Webhooks.cs): not too old for a benchmark.
        settings["Processor:Replies:MaxAge"] = "3650.00:00:00";
        return settings;
    }

    /// <param name="Ingress">The measured service (the Ingress, or the Processor while draining).</param>
    private sealed record CpuShare(TimeSpan Ingress, TimeSpan Rabbit, TimeSpan Generator, TimeSpan Wall, TimeSpan Postgres = default)
    {
        public double Percent(TimeSpan used) => 100 * used / Wall;
    }

    private static async Task<List<double>> CrcAsync(HttpClient client, Uri ingress, int count, CancellationToken stop, TimeSpan? interval = null)
    {
        var latencies = new List<double>();
        for (var i = 0; i < count && !stop.IsCancellationRequested; i++)
        {
            var start = Stopwatch.GetTimestamp();
            try
            {
                using var response = await client.GetAsync(new Uri(ingress, $"webhooks?crc_token=benchmark{i}"), stop);
                response.EnsureSuccessStatusCode();
            }
            catch (OperationCanceledException)
            {
                break;
            }

            latencies.Add(Stopwatch.GetElapsedTime(start).TotalMilliseconds);
            if (interval is { } pause)
            {
                try
                {
                    await Task.Delay(pause, stop);
                }
                catch (OperationCanceledException)
                {
                    break;
                }
            }
        }

        return latencies;
    }

    private static async Task WaitForAsync(Func<bool> done, TimeSpan within)
    {
        var clock = Stopwatch.StartNew();
        while (!done())
        {
            if (clock.Elapsed > within)
            {
                throw new TimeoutException($"Not done within {within}.");
            }

            await Task.Delay(100);
        }
    }

    private sealed class Results
    {
        public List<double> CrcIdle { get; set; } = [];

        /// <summary>Each rate's run; <c>PeakRssMib</c> is the Ingress's peak so far (this rate and the lower ones before it).</summary>
        public List<(int Rate, LoadResult Run, long Queued, List<double> Crc, CpuShare Cpu, double PeakRssMib)> Ingress { get; } = [];

        public double IngressRssMib { get; set; }

        public double BaselinePerSecond { get; set; }

        public LoadResult? IngressCompared { get; set; }

        public LoadResult? EndpointCompared { get; set; }

        public List<double> Pipeline { get; set; } = [];

        public double ProcessorPerSecond { get; set; }

        public double ProcessorRssMib { get; set; }

        public CpuShare? ProcessorCpu { get; set; }
    }

    private static string Compared(Results results) =>
        results is { IngressCompared: { } ingress, EndpointCompared: { } endpoint }
            ? string.Create(CultureInfo.InvariantCulture, $"{ingress.AcceptedPerSecond:F0} ÷ {endpoint.AcceptedPerSecond:F0} = {ingress.AcceptedPerSecond / endpoint.AcceptedPerSecond:F2}")
            : "not run";

    private static string Report(BenchmarkProfile profile, Results results, string versions)
    {
        static string Ms(double value) => value.ToString("F1", CultureInfo.InvariantCulture);
        var processor = File.ReadLines("/proc/cpuinfo").FirstOrDefault(l => l.StartsWith("model name", StringComparison.Ordinal))?.Split(':', 2)[1].Trim() ?? "unknown";
        var memory = File.ReadLines("/proc/meminfo").First().Split(':', 2)[1].Trim();
        var md = new StringBuilder();
        md.AppendLine(CultureInfo.InvariantCulture, $"""
            # Benchmarks

            Written by `build/bench.sh` on {DateTimeOffset.UtcNow:yyyy-MM-dd HH:mm} UTC. Machine: {Environment.ProcessorCount} cores ({processor}), {memory} memory;
            .NET {Environment.Version}; {versions}. Everything on this one machine: RabbitMQ, PostgreSQL, both services
            (Release builds, as separate processes) and the load generator (which competes for the same 2 cores).
            Fresh virtual host and database; {profile.Partitions} conversation partitions (quorum queues); fast in-process fakes
            of the gateway and X. Hold per rate: {profile.Hold.TotalSeconds:F0} s. Latency counts from each request's
            scheduled send time (open loop), so a slow answer delays no measurement.

            ## Ingress: signed ~2 KB DM webhooks, open loop, no Processor running

            | offered rate | accepted/s | p50 ms | p99 ms | p99.9 ms | failed | queued = accepted (zero loss) | CRC p50 / p99 ms meanwhile | Ingress peak RSS so far (goal at 2500/s: ≤ 128 MiB) |
            | --- | --- | --- | --- | --- | --- | --- | --- | --- |
            """);
        foreach (var (rate, run, queued, crc, _, rss) in results.Ingress)
        {
            md.AppendLine(CultureInfo.InvariantCulture,
                $"| {rate}/s | {run.AcceptedPerSecond:F0} | {Ms(Percentiles.Of(run.LatenciesMs, 50))} | {Ms(Percentiles.Of(run.LatenciesMs, 99))} | {Ms(Percentiles.Of(run.LatenciesMs, 99.9))} | {run.Failed} | {(queued == run.Accepted ? "yes" : "NO")} ({queued} of {run.Accepted}) | {Ms(Percentiles.Of(crc, 50))} / {Ms(Percentiles.Of(crc, 99))} | {rss:F0} MiB |");
        }

        md.AppendLine();
        md.AppendLine("Where the 2 cores went during each rate (CPU time / wall time; 200% is the whole machine), and the CPU each accepted webhook cost:");
        md.AppendLine();
        md.AppendLine("| offered rate | Ingress | RabbitMQ | load generator (with the fakes) | Ingress CPU per webhook | RabbitMQ CPU per webhook |");
        md.AppendLine("| --- | --- | --- | --- | --- | --- |");
        foreach (var (rate, run, _, _, cpu, _) in results.Ingress)
        {
            md.AppendLine(CultureInfo.InvariantCulture,
                $"| {rate}/s | {cpu.Percent(cpu.Ingress):F0}% | {cpu.Percent(cpu.Rabbit):F0}% | {cpu.Percent(cpu.Generator):F0}% | {cpu.Ingress.TotalMicroseconds / Math.Max(1, run.Accepted):F0} µs | {cpu.Rabbit.TotalMicroseconds / Math.Max(1, run.Accepted):F0} µs |");
        }

        var best = results.Ingress.Count == 0 ? 0 : results.Ingress.Max(r => r.Run.AcceptedPerSecond);
        md.AppendLine(CultureInfo.InvariantCulture, $"""

            ## The rest

            | measure | result | target |
            | --- | --- | --- |
            | broker ceiling: MassTransit publish with confirm, {Concurrency} concurrent publishers | {results.BaselinePerSecond:F0}/s | |
            | Ingress ÷ baseline (best accepted rate ÷ ceiling) | {best / results.BaselinePerSecond:F2} | ≥ 0.6 |
            | Ingress ÷ minimal endpoint (raw body published with confirms, same bus topology), both offered {profile.CompareRate}/s for {profile.Hold.TotalSeconds:F0} s: accepted/s | {Compared(results)} | ≥ 0.9 |
            | CRC idle, p50 / p99 | {Ms(Percentiles.Of(results.CrcIdle, 50))} / {Ms(Percentiles.Of(results.CrcIdle, 99))} ms | p99 ≤ 10 ms |
            | pipeline overhead, webhook sent → DM send started at X, {PipelineRate}/s, p50 / p99 | {Ms(Percentiles.Of(results.Pipeline, 50))} / {Ms(Percentiles.Of(results.Pipeline, 99))} ms | p50 ≤ 15, p99 ≤ 50 ms |
            | Processor throughput, a backlog of {profile.ProcessorMessages} DMs (each from its own user), first to last DM at X | {results.ProcessorPerSecond:F0} messages/s | ≥ 2,000/s |
            | peak RSS: Ingress during the rates above / Processor while draining | {results.IngressRssMib:F0} / {results.ProcessorRssMib:F0} MiB | ≤ 128 MiB each |
            """);
        if (results.ProcessorCpu is { } drain)
        {
            var messages = (double)profile.ProcessorMessages;
            md.AppendLine();
            md.AppendLine("Where the 2 cores went while the Processor drained its backlog (CPU time / wall time from its readiness to the last DM), and the CPU each message cost:");
            md.AppendLine();
            md.AppendLine("| | Processor | RabbitMQ | PostgreSQL | fakes of X and the gateway (and the tool) |");
            md.AppendLine("| --- | --- | --- | --- | --- |");
            md.AppendLine(CultureInfo.InvariantCulture, $"| share of the machine | {drain.Percent(drain.Ingress):F0}% | {drain.Percent(drain.Rabbit):F0}% | {drain.Percent(drain.Postgres):F0}% | {drain.Percent(drain.Generator):F0}% |");
            md.AppendLine(CultureInfo.InvariantCulture, $"| CPU per message | {drain.Ingress.TotalMicroseconds / messages:F0} µs | {drain.Rabbit.TotalMicroseconds / messages:F0} µs | {drain.Postgres.TotalMicroseconds / messages:F0} µs | {drain.Generator.TotalMicroseconds / messages:F0} µs |");
        }
        return md.ToString();
    }
}
