using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.Http.Headers;
using System.Text;
using TwitterBot.Conventions.Queues;

namespace TwitterBot.Benchmarks;

/// <summary>
/// The <c>overload</c> profile (<c>--profile overload</c>): the Ingress's capacity measured, then twice that
/// offered for <c>--hold</c> seconds, open loop, with CRC challenges on their own connection meanwhile (X
/// sends them apart from deliveries). Every answer is timed from its scheduled send; the partitions are
/// counted against the 200s. <c>--admission off</c> runs the same with the admission bounds lifted, for the
/// comparison. Writes the <c>## Overload</c> section of <c>--output</c> (the rest of the file is kept).
/// </summary>
public sealed record OverloadProfile(string IngressDirectory, string Output, TimeSpan CapacityHold, TimeSpan Hold, double Factor, bool Admission)
{
    public const string Name = "overload";

    public static OverloadProfile FromArguments(string[] args)
    {
        string Value(string name, string fallback) => args.SkipWhile(a => a != name).Skip(1).FirstOrDefault() ?? fallback;
        return new OverloadProfile(
            Value("--ingress", "artifacts/bench/Ingress"),
            Value("--output", "BENCHMARKS.md"),
            TimeSpan.FromSeconds(int.Parse(Value("--capacity-hold", "20"), CultureInfo.InvariantCulture)),
            TimeSpan.FromSeconds(int.Parse(Value("--hold", "60"), CultureInfo.InvariantCulture)),
            double.Parse(Value("--factor", "2"), CultureInfo.InvariantCulture),
            Value("--admission", "on") != "off");
    }
}

public static class OverloadRun
{
    /// <summary>Closed-loop senders for the capacity measure: as many as the other benchmarks' publishers.</summary>
    private const int CapacityConcurrency = 256;
    private const string Heading = "## Overload";

    /// <summary>Deliveries prepared per second of a capacity run (beyond them, made on the fly).</summary>
    private const int PreparedPerSecond = 5000;
    private static readonly TimeSpan XDeadline = TimeSpan.FromSeconds(3);

    public static async Task<int> RunAsync(OverloadProfile profile, TextWriter log)
    {
        await using var infrastructure = await Infrastructure.CreateAsync();
        var partitions = DurableQueues.ConversationPartitions(16).ToList();
        var settings = TestCredentials.BotSettings();
        settings["Messaging:Rabbit:Hosts:0"] = $"{Infrastructure.AmqpHost}:5672";
        settings["Messaging:Rabbit:Username"] = "guest";
        settings["Messaging:Rabbit:Password"] = "guest";
        settings["Messaging:Rabbit:VirtualHost"] = infrastructure.Name;
        settings["Messaging:Rabbit:ConversationPartitions"] = "16";
        if (!profile.Admission)
        {
            settings["Ingress:Admission:MaxConcurrentRequests"] = "100000";
            settings["Ingress:Admission:MaxOverduePublishes"] = "100000";
        }

        var rabbit = CpuClock.RabbitMq();
        // X holds as many connections as it needs: the generator's own connection pool must not be the queue measured.
        using var client = new HttpClient(new SocketsHttpHandler { MaxConnectionsPerServer = 4096, PooledConnectionLifetime = TimeSpan.FromMinutes(10) }) { Timeout = TimeSpan.FromSeconds(30) };
        using var crcClient = new HttpClient { Timeout = TimeSpan.FromSeconds(30) };
        await using var ingress = ServiceProcess.Start(profile.IngressDirectory, "TwitterBot.Ingress.dll", settings);
        await ingress.WaitUntilReadyAsync(TimeSpan.FromMinutes(1));
        var webhook = new Uri(ingress.BaseAddress, "webhooks");
        await new LoadGenerator(client).PostWebhooksAsync(webhook, 200, TimeSpan.FromSeconds(2), 9_000_000); // warm-up: JIT, connections, topology
        List<double> crcIdle;
        await CapacityAsync(client, webhook, profile.CapacityHold / 2, 70_000_000); // and tiered JIT at full load, else the first capacity reads low
        await infrastructure.PurgeAsync(partitions);
        using (var idle = new CancellationTokenSource(TimeSpan.FromSeconds(10)))
        {
            crcIdle = await CrcAsync(crcClient, ingress.BaseAddress, idle.Token);
        }

        var capacityCpu = CpuClock.Of(ingress.Id);
        var capacity = await CapacityAsync(client, webhook, profile.CapacityHold, 80_000_000);
        capacityCpu = CpuClock.Of(ingress.Id) - capacityCpu;
        var capacityQueued = await infrastructure.ReadyAsync(partitions);
        await infrastructure.PurgeAsync(partitions);
        log.WriteLine($"Capacity: {capacity.PerSecond:F0} accepted/s ({capacity.Accepted} in {capacity.Elapsed.TotalSeconds:F1} s, {capacity.Refused} refused), queued {capacityQueued}");

        var rate = (int)Math.Round(capacity.PerSecond * profile.Factor);
        using var crcLoop = new CancellationTokenSource();
        var crc = CrcAsync(crcClient, ingress.BaseAddress, crcLoop.Token);
        var cpuBefore = (Ingress: CpuClock.Of(ingress.Id), Rabbit: rabbit is { } r0 ? CpuClock.Of(r0) : TimeSpan.Zero, Generator: CpuClock.Of(Environment.ProcessId));
        var run = await OpenLoopAsync(client, webhook, rate, profile.Hold, 90_000_000);
        var cpu = (Ingress: CpuClock.Of(ingress.Id) - cpuBefore.Ingress, Rabbit: (rabbit is { } r1 ? CpuClock.Of(r1) : TimeSpan.Zero) - cpuBefore.Rabbit, Generator: CpuClock.Of(Environment.ProcessId) - cpuBefore.Generator);
        await crcLoop.CancelAsync();
        var crcLatencies = await crc;
        var queued = await infrastructure.ReadyAsync(partitions);
        await infrastructure.PurgeAsync(partitions);

        // Measured again after: on a shared machine the capacity drifts; the goal is judged against the larger.
        var after = await CapacityAsync(client, webhook, profile.CapacityHold, 85_000_000);
        var afterQueued = await infrastructure.ReadyAsync(partitions);
        await infrastructure.PurgeAsync(partitions);
        log.WriteLine($"Capacity after: {after.PerSecond:F0} accepted/s, queued {afterQueued}");
        var rss = ingress.PeakRssMib();

        var result = new OverloadResult(profile, capacity, capacityCpu / capacity.Elapsed, after, capacityQueued + afterQueued, rate, run, queued, crcIdle, crcLatencies, cpu.Ingress / run.Elapsed, cpu.Rabbit / run.Elapsed, cpu.Generator / run.Elapsed, rss);
        var section = result.Section();
        log.WriteLine(section);
        await WriteSectionAsync(profile.Output, section);
        log.WriteLine($"Wrote the {Heading} section of {profile.Output}");
        return result.Lost ? 1 : 0;
    }

    /// <summary>
    /// Saturation throughput: <see cref="CapacityConcurrency"/> senders posting back to back, each waiting
    /// for its answer (a 503 is retried by the next request, not counted).
    /// </summary>
    private static async Task<(double PerSecond, int Accepted, int Refused, TimeSpan Elapsed)> CapacityAsync(HttpClient client, Uri webhook, TimeSpan hold, long firstEventId)
    {
        var prepared = Prepare(firstEventId, (int)(hold.TotalSeconds * PreparedPerSecond));
        var accepted = 0;
        var refused = 0;
        var next = firstEventId - 1;
        var clock = Stopwatch.StartNew();
        await Task.WhenAll(Enumerable.Range(0, CapacityConcurrency).Select(async _ =>
        {
            while (clock.Elapsed < hold)
            {
                var index = (int)(Interlocked.Increment(ref next) - firstEventId);
                var status = await SendAsync(client, webhook, index < prepared.Length ? prepared[index] : Webhooks.DirectMessage(firstEventId + index, Webhooks.UserId(index)));
                if (status == HttpStatusCode.OK)
                {
                    Interlocked.Increment(ref accepted);
                }
                else
                {
                    Interlocked.Increment(ref refused);
                }
            }
        }));
        var elapsed = clock.Elapsed;
        return (accepted / elapsed.TotalSeconds, accepted, refused, elapsed);
    }

    /// <summary>
    /// Request <c>i</c> sent at <c>start + i / rate</c> whatever came before; latency from that due time, and
    /// apart from the moment it was actually sent (a generator starved of CPU sends late).
    /// </summary>
    private static async Task<OpenLoopResult> OpenLoopAsync(HttpClient client, Uri webhook, int rate, TimeSpan hold, long firstEventId)
    {
        var total = (int)(rate * hold.TotalSeconds);
        var prepared = Prepare(firstEventId, total);
        var latencies = new double[total];
        var served = new double[total];
        var lag = new double[total];
        var statuses = new HttpStatusCode[total];
        var pending = new List<Task>(total);
        var start = Stopwatch.GetTimestamp();
        for (var i = 0; i < total; i++)
        {
            var due = start + (long)(i * (double)Stopwatch.Frequency / rate);
            var wait = Stopwatch.GetElapsedTime(Stopwatch.GetTimestamp(), due);
            if (wait > TimeSpan.FromMilliseconds(1))
            {
                await Task.Delay(wait);
            }

            pending.Add(SendTimedAsync(i, due));
        }

        var sending = Stopwatch.GetElapsedTime(start);
        await Task.WhenAll(pending);
        return new OpenLoopResult(statuses, latencies, served, lag, sending, Stopwatch.GetElapsedTime(start));

        async Task SendTimedAsync(int index, long due)
        {
            var sent = Stopwatch.GetTimestamp();
            lag[index] = Stopwatch.GetElapsedTime(due, sent).TotalMilliseconds;
            statuses[index] = await SendAsync(client, webhook, prepared[index]);
            latencies[index] = Stopwatch.GetElapsedTime(due).TotalMilliseconds;
            served[index] = Stopwatch.GetElapsedTime(sent).TotalMilliseconds;
        }
    }

    /// <summary>Signed deliveries made before the clock starts, so that the generator spends its CPU on sending.</summary>
    private static (byte[] Body, string Signature)[] Prepare(long firstEventId, int count) =>
        Enumerable.Range(0, count).Select(i => Webhooks.DirectMessage(firstEventId + i, Webhooks.UserId(i))).ToArray();

    /// <returns>The status; 0 when no answer came (connection error or the client's timeout).</returns>
    private static async Task<HttpStatusCode> SendAsync(HttpClient client, Uri webhook, (byte[] Body, string Signature) delivery)
    {
        var (body, signature) = delivery;
        using var request = new HttpRequestMessage(HttpMethod.Post, webhook) { Content = new ByteArrayContent(body) };
        request.Content.Headers.ContentType = new MediaTypeHeaderValue("application/json");
        request.Headers.TryAddWithoutValidation("x-twitter-webhooks-signature", signature);
        try
        {
            using var response = await client.SendAsync(request);
            if (response.StatusCode == HttpStatusCode.ServiceUnavailable && response.Headers.RetryAfter is null)
            {
                return HttpStatusCode.BadGateway; // a 503 without Retry-After: not ours, counted apart
            }

            // Admission refusals say "at capacity"; a 503 after a publish that missed its confirm does not.
            return response.StatusCode == HttpStatusCode.ServiceUnavailable
                && !(await response.Content.ReadAsStringAsync()).Contains("capacity", StringComparison.Ordinal)
                    ? HttpStatusCode.GatewayTimeout
                    : response.StatusCode;
        }
        catch (HttpRequestException)
        {
            return 0;
        }
        catch (TaskCanceledException)
        {
            return 0;
        }
    }

    private static async Task<List<double>> CrcAsync(HttpClient client, Uri ingress, CancellationToken stop)
    {
        var latencies = new List<double>();
        for (var i = 0; !stop.IsCancellationRequested; i++)
        {
            var start = Stopwatch.GetTimestamp();
            try
            {
                using var response = await client.GetAsync(new Uri(ingress, $"webhooks?crc_token=overload{i}"), stop);
                response.EnsureSuccessStatusCode();
                latencies.Add(Stopwatch.GetElapsedTime(start).TotalMilliseconds);
                await Task.Delay(TimeSpan.FromMilliseconds(20), stop);
            }
            catch (OperationCanceledException)
            {
                break;
            }
        }

        return latencies;
    }

    /// <summary>Replaces the section from <see cref="Heading"/> to the next <c>## </c> heading, or appends it.</summary>
    private static async Task WriteSectionAsync(string path, string section)
    {
        var text = File.Exists(path) ? await File.ReadAllTextAsync(path) : string.Empty;
        var at = text.IndexOf(Heading + "\n", StringComparison.Ordinal);
        if (at < 0)
        {
            await File.WriteAllTextAsync(path, text.TrimEnd() + "\n\n" + section);
            return;
        }

        var end = text.IndexOf("\n## ", at + Heading.Length, StringComparison.Ordinal);
        await File.WriteAllTextAsync(path, text[..at] + section + (end < 0 ? string.Empty : text[(end + 1)..]));
    }

    /// <param name="Latencies">From each request's due time to its answer.</param>
    /// <param name="Served">From the moment each request was actually sent to its answer.</param>
    /// <param name="Lag">How late each request was sent.</param>
    /// <param name="Sending">How long sending them all took (the hold, unless the generator fell behind).</param>
    private sealed record OpenLoopResult(HttpStatusCode[] Statuses, double[] Latencies, double[] Served, double[] Lag, TimeSpan Sending, TimeSpan Elapsed)
    {
        public int Count(HttpStatusCode status) => Statuses.Count(s => s == status);

        public List<double> LatenciesOf(HttpStatusCode status) => Latencies.Where((_, i) => Statuses[i] == status).ToList();
    }

    private sealed record OverloadResult(
        OverloadProfile Profile,
        (double PerSecond, int Accepted, int Refused, TimeSpan Elapsed) Capacity,
        double CapacityIngressCpu,
        (double PerSecond, int Accepted, int Refused, TimeSpan Elapsed) CapacityAfter,
        long CapacityQueued,
        int Rate,
        OpenLoopResult Run,
        long Queued,
        List<double> CrcIdle,
        List<double> Crc,
        double IngressCpu,
        double RabbitCpu,
        double GeneratorCpu,
        double IngressRssMib)
    {
        private int Accepted => Run.Count(HttpStatusCode.OK);

        /// <summary>Either capacity run's or the overload's partitions hold fewer messages than were answered 200.</summary>
        public bool Lost => Queued < Accepted || CapacityQueued < Capacity.Accepted + CapacityAfter.Accepted;

        public string Section()
        {
            static string Ms(double value) => value.ToString("F1", CultureInfo.InvariantCulture);
            var all = Run.Latencies;
            var refused = Run.Count(HttpStatusCode.ServiceUnavailable);
            var unconfirmed = Run.Count(HttpStatusCode.GatewayTimeout);
            var unanswered = Run.Count(0);
            var other = Run.Statuses.Length - Accepted - refused - unconfirmed - unanswered;
            var acceptedPerSecond = Accepted / Run.Sending.TotalSeconds;
            var reference = Math.Max(Capacity.PerSecond, CapacityAfter.PerSecond);
            var p999 = Percentiles.Of(all, 99.9);
            var crcP99 = Percentiles.Of(Crc, 99);
            var withinDeadline = all.Count(l => l <= XDeadline.TotalMilliseconds) / (double)all.Length;
            string Verdict(bool met) => met ? "met" : "**missed**";
            var md = new StringBuilder();
            md.AppendLine(CultureInfo.InvariantCulture, $"""
                {Heading}

                Written by the benchmark tool's `overload` profile (`--profile overload{(Profile.Admission ? string.Empty : " --admission off")}`) on {DateTimeOffset.UtcNow:yyyy-MM-dd HH:mm} UTC;
                admission control {(Profile.Admission ? "on (the defaults)" : "**off** (bounds lifted)")}. The Ingress alone (no Processor), a fresh virtual host, 16 partitions.
                Capacity: {CapacityConcurrency} closed-loop senders for {Profile.CapacityHold.TotalSeconds:F0} s, before the overload and again after it. Then {Profile.Factor:0.#}× that offered open loop for {Profile.Hold.TotalSeconds:F0} s,
                every answer timed from its scheduled send; CRC challenges every 20 ms on a connection of their own meanwhile.

                | measure | result | goal |
                | --- | --- | --- |
                | capacity (accepted/s, closed loop), before / after the overload | {Capacity.PerSecond:F0} / {CapacityAfter.PerSecond:F0}/s | |
                | offered | {Rate}/s scheduled for {Profile.Hold.TotalSeconds:F0} s ({Run.Statuses.Length} POSTs); sent in {Run.Sending.TotalSeconds:F1} s = {Run.Statuses.Length / Run.Sending.TotalSeconds:F0}/s | {Profile.Factor:0.#}× capacity |
                | the generator's lateness sending, p50 / p99 | {Ms(Percentiles.Of(Run.Lag, 50))} / {Ms(Percentiles.Of(Run.Lag, 99))} ms | |
                | accepted (200) | {acceptedPerSecond:F0}/s = {acceptedPerSecond / reference:P0} of the larger capacity | ≥ 90%: {Verdict(acceptedPerSecond >= 0.9 * reference)} |
                | refused at the door (503 + Retry-After) | {refused} ({refused / Run.Sending.TotalSeconds:F0}/s) | |
                | 503 after a publish missed its confirm / no answer / other | {unconfirmed} / {unanswered} / {other} | |
                | every answer, p50 / p99 / p99.9 / max | {Ms(Percentiles.Of(all, 50))} / {Ms(Percentiles.Of(all, 99))} / {Ms(p999)} / {Ms(all.DefaultIfEmpty().Max())} ms | p99.9 ≤ 3000 ms: {Verdict(p999 <= XDeadline.TotalMilliseconds)} |
                | answered within X's 3 s | {withinDeadline:P2} | |
                | every answer from its actual send, p50 / p99 / p99.9 | {Ms(Percentiles.Of(Run.Served, 50))} / {Ms(Percentiles.Of(Run.Served, 99))} / {Ms(Percentiles.Of(Run.Served, 99.9))} ms | |
                | 200s only, p50 / p99 / p99.9 | {Ms(Percentiles.Of(Run.LatenciesOf(HttpStatusCode.OK), 50))} / {Ms(Percentiles.Of(Run.LatenciesOf(HttpStatusCode.OK), 99))} / {Ms(Percentiles.Of(Run.LatenciesOf(HttpStatusCode.OK), 99.9))} ms | |
                | 503s only, p50 / p99 | {Ms(Percentiles.Of(Run.LatenciesOf(HttpStatusCode.ServiceUnavailable), 50))} / {Ms(Percentiles.Of(Run.LatenciesOf(HttpStatusCode.ServiceUnavailable), 99))} ms | |
                | queued in the partitions ≥ accepted (zero loss) | {(Queued >= Accepted ? "yes" : "**NO**")} ({Queued} queued, {Accepted} accepted; capacity runs {CapacityQueued} of {Capacity.Accepted + CapacityAfter.Accepted}) | zero loss: {Verdict(!Lost)} |
                | CRC meanwhile, p50 / p99 / max ({Crc.Count} challenges) | {Ms(Percentiles.Of(Crc, 50))} / {Ms(crcP99)} / {Ms(Crc.DefaultIfEmpty().Max())} ms | p99 ≤ 50 ms: {Verdict(crcP99 <= 50)} |
                | CRC idle on the same machine just before, p50 / p99 ({CrcIdle.Count} challenges) | {Ms(Percentiles.Of(CrcIdle, 50))} / {Ms(Percentiles.Of(CrcIdle, 99))} ms | |
                | CPU during the overload: Ingress / RabbitMQ / load generator (200% = the machine) | {IngressCpu:P0} / {RabbitCpu:P0} / {GeneratorCpu:P0} | |
                | the Ingress's CPU during the first capacity run, and per answer: capacity run / overload | {CapacityIngressCpu:P0}; {CapacityIngressCpu * Capacity.Elapsed.TotalMicroseconds / Math.Max(1, Capacity.Accepted + Capacity.Refused):F0} / {IngressCpu * Run.Elapsed.TotalMicroseconds / Math.Max(1, Run.Statuses.Length - unanswered):F0} µs | |
                | Ingress peak RSS | {IngressRssMib:F0} MiB | |
                """);
            return md.ToString();
        }
    }
}
