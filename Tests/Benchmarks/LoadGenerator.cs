using System.Diagnostics;
using System.Net;
using System.Net.Http.Headers;

namespace TwitterBot.Benchmarks;

public sealed record LoadResult(int Requested, int Accepted, int Failed, IReadOnlyList<double> LatenciesMs, TimeSpan Elapsed)
{
    public double AcceptedPerSecond => Accepted / Elapsed.TotalSeconds;
}

/// <summary>
/// Open-loop load: request <c>i</c> is due at <c>start + i / rate</c> and sent then, whatever the answers
/// before it did, over many connections. Latency counts from the due time, so a slow server is not hidden
/// by a generator that waited for it (no coordinated omission).
/// </summary>
public sealed class LoadGenerator(HttpClient client)
{
    public static HttpClient CreateClient() => new(new SocketsHttpHandler { MaxConnectionsPerServer = 512, PooledConnectionLifetime = TimeSpan.FromMinutes(10) })
    {
        Timeout = TimeSpan.FromSeconds(30),
    };

    public async Task<LoadResult> PostWebhooksAsync(Uri webhook, int rate, TimeSpan hold, long firstEventId, Action<int, long>? onSent = null)
    {
        var total = (int)(rate * hold.TotalSeconds);
        var latencies = new double[total];
        var accepted = new bool[total];
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

            var index = i;
            onSent?.Invoke(index, due);
            pending.Add(SendAsync(webhook, firstEventId + index, index, due, latencies, accepted));
        }

        await Task.WhenAll(pending);
        var elapsed = Stopwatch.GetElapsedTime(start);
        var ok = accepted.Count(a => a);
        return new LoadResult(total, ok, total - ok, latencies, elapsed);
    }

    private async Task SendAsync(Uri webhook, long eventId, int index, long due, double[] latencies, bool[] accepted)
    {
        var (body, signature) = Webhooks.DirectMessage(eventId, Webhooks.UserId(index));
        using var request = new HttpRequestMessage(HttpMethod.Post, webhook) { Content = new ByteArrayContent(body) };
        request.Content.Headers.ContentType = new MediaTypeHeaderValue("application/json");
        request.Headers.TryAddWithoutValidation("x-twitter-webhooks-signature", signature);
        try
        {
            using var response = await client.SendAsync(request);
            accepted[index] = response.StatusCode == HttpStatusCode.OK;
        }
        catch (HttpRequestException)
        {
            accepted[index] = false;
        }
        catch (TaskCanceledException)
        {
            accepted[index] = false;
        }

        latencies[index] = Stopwatch.GetElapsedTime(due).TotalMilliseconds;
    }
}

public static class Percentiles
{
    public static double Of(IReadOnlyList<double> values, double percentile)
    {
        if (values.Count == 0)
        {
            return double.NaN;
        }

        var sorted = values.Order().ToArray();
        var rank = (int)Math.Ceiling(percentile / 100 * sorted.Length) - 1;
        return sorted[Math.Clamp(rank, 0, sorted.Length - 1)];
    }
}
