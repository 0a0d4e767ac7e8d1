using System.Diagnostics;
using System.Globalization;
using System.Text;
using System.Text.Json.Nodes;
using MassTransit;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;
using TwitterBot.Contracts;
using TwitterBot.Conventions.Ids;
using TwitterBot.Conventions.Queues;

namespace TwitterBot.Benchmarks;

/// <summary>
/// A backlog against an X that enforces a small window on DM sends (<see cref="Limit"/> per <see cref="Period"/>,
/// reported in <c>x-rate-limit-*</c> headers, 429 once spent): <see cref="Conversations"/> conversations of
/// <see cref="PerConversation"/> DMs each, queued before one Processor starts draining them. Measures how much of
/// each window is used, how many send calls each delivered DM cost, and whether any conversation starved.
/// Run with <c>build/bench.sh quota</c>; prints its section of BENCHMARKS.md.
/// </summary>
public static class QuotaBenchmark
{
    public const int Limit = 50;
    public static readonly TimeSpan Period = TimeSpan.FromSeconds(10);
    public const int Conversations = 30;
    public const int PerConversation = 20;
    private const int Partitions = 16;

    public static async Task<int> RunAsync(string processorDirectory, TextWriter log, int perConversation = PerConversation)
    {
        await using var infrastructure = await Infrastructure.CreateAsync();
        await using var x = new WindowedFakes(Limit, Period);
        await x.StartAsync();
        var settings = Settings(infrastructure, x);
        var total = Conversations * perConversation;

        // The Processor declares its queues; started once so that the backlog has somewhere to wait.
        await using (var declare = ServiceProcess.Start(processorDirectory, "TwitterBot.Processor.dll", settings))
        {
            await declare.WaitUntilReadyAsync(TimeSpan.FromMinutes(1));
        }

        var bus = Bus.Factory.CreateUsingRabbitMq(rabbit =>
        {
            rabbit.Host(Infrastructure.AmqpHost, infrastructure.Name, host =>
            {
                host.Username("guest");
                host.Password("guest");
            });
            rabbit.RouteConversations(Partitions);
        });
        await bus.StartAsync();
        try
        {
            // Round by round, so that each conversation's DMs are queued in order.
            for (var round = 0; round < perConversation; round++)
            {
                await Task.WhenAll(Enumerable.Range(0, Conversations).Select(user => PublishAsync(bus, user, round)));
            }
        }
        finally
        {
            await bus.StopAsync();
        }

        log.WriteLine($"Quota: {total} DMs queued across {Conversations} conversations; draining against {Limit} sends per {Period.TotalSeconds:F0} s");
        await using var processor = ServiceProcess.Start(processorDirectory, "TwitterBot.Processor.dll", settings);
        await processor.WaitUntilReadyAsync(TimeSpan.FromMinutes(1));
        var clock = Stopwatch.StartNew();
        while (x.Delivered.Count < total)
        {
            if (clock.Elapsed > TimeSpan.FromMinutes(10))
            {
                throw new TimeoutException($"{x.Delivered.Count} of {total} delivered within 10 minutes.");
            }

            await Task.Delay(200);
        }

        log.Write(Report(x, total, perConversation));
        return 0;
    }

    private static Task PublishAsync(IBus bus, int user, int round)
    {
        var sender = Webhooks.UserId(80_000_000 + user);
        var message = new DirectMessageReceived
        {
            EventId = (1_850_000_000_000_000_000L + (user * 1000L) + round).ToString(CultureInfo.InvariantCulture),
            BotUserId = TestCredentials.BotUserId,
            BotId = TestCredentials.BotId,
            SenderId = sender,
            SenderName = "Jordan Brinks",
            SenderScreenName = "furiouscamper",
            Text = $"message {round}",
            CreatedAt = DateTimeOffset.UtcNow,
        };
        return bus.Publish(message, context =>
        {
            context.MessageId = MessageIds.For(message.BotUserId, message.EventId);
            context.Headers.Set(ConversationKeys.Header, ConversationKeys.For(message.BotUserId, sender));
        });
    }

    private static Dictionary<string, string?> Settings(Infrastructure infrastructure, WindowedFakes x)
    {
        var settings = TestCredentials.BotSettings();
        settings["TwitterBot:Api:TwitterUrl"] = new Uri(x.BaseAddress, "1.1/").ToString();
        settings["Gateway:Url"] = x.BaseAddress.ToString();
        settings["Messaging:Rabbit:Hosts:0"] = $"{Infrastructure.AmqpHost}:5672";
        settings["Messaging:Rabbit:Username"] = "guest";
        settings["Messaging:Rabbit:Password"] = "guest";
        settings["Messaging:Rabbit:VirtualHost"] = infrastructure.Name;
        settings["Messaging:Rabbit:ConversationPartitions"] = Partitions.ToString(CultureInfo.InvariantCulture);
        settings["Processor:Store:ConnectionString"] = infrastructure.DatabaseConnectionString;
        settings["Processor:Replies:TypingIndicator"] = "false";
        return settings;
    }

    private static string Report(WindowedFakes x, int total, int perConversation)
    {
        var windows = x.Windows();
        var full = windows.Take(Math.Max(1, windows.Count - 1)).ToList(); // the last window takes only what was left
        var perWindow = full.Average(w => w.Accepted) / Limit;
        var start = x.Delivered.Min(d => d.At);
        var end = x.Delivered.Max(d => d.At);
        var elapsed = Stopwatch.GetElapsedTime(start, end);
        var byConversation = x.Delivered.GroupBy(d => d.Recipient).Select(g =>
        {
            var times = g.Select(d => d.At).Order().ToList();
            var gaps = times.Zip(times.Skip(1), (a, b) => Stopwatch.GetElapsedTime(a, b).TotalSeconds).DefaultIfEmpty(0);
            return (Count: times.Count, Last: Stopwatch.GetElapsedTime(start, times[^1]).TotalSeconds, MaxGap: gaps.Max());
        }).ToList();
        var ideal = (double)Limit / Period.TotalSeconds;
        var md = new StringBuilder();
        md.AppendLine(CultureInfo.InvariantCulture, $"""

            ## Quota

            Written by `build/bench.sh quota` on {DateTimeOffset.UtcNow:yyyy-MM-dd HH:mm} UTC, on the machine above, shared with other sessions' builds and
            tests while it ran. A fake X that allows {Limit} DM sends per {Period.TotalSeconds:F0} s (a fixed window from its first call, reset at a
            whole second, in `x-rate-limit-limit/remaining/reset` on every answer, 429 code 88 once spent); {total} DMs from {Conversations} users
            ({perConversation} each) queued in {Partitions} partitions before one Processor started draining them.

            | measure | result | target |
            | --- | --- | --- |
            | DMs delivered per window ÷ quota (mean of the {full.Count} full windows) | {perWindow:F3} | ≥ 0.98 |
            | send calls ÷ delivered ({x.Calls} calls, {x.Refused} refused with 429, {x.Delivered.Count} delivered) | {(double)x.Calls / x.Delivered.Count:F3} | ≤ 1.02 |
            | delivered per second ÷ the window's rate ({Limit}/{Period.TotalSeconds:F0} s) | {x.Delivered.Count / Math.Max(elapsed.TotalSeconds, 1e-9) / ideal:F3} | |
            | conversations answered in full | {byConversation.Count(c => c.Count == perConversation)} of {Conversations} | all |
            | each conversation's last reply, after the first DM out: earliest / latest | {byConversation.Min(c => c.Last):F1} / {byConversation.Max(c => c.Last):F1} s | |
            | longest gap between two replies of one conversation | {byConversation.Max(c => c.MaxGap):F1} s | |
            | total, first to last DM at X | {elapsed.TotalSeconds:F1} s | |
            """);
        return md.ToString();
    }

    /// <summary>The gateway (answers at once) and an X whose DM sends are limited by one fixed window.</summary>
    private sealed class WindowedFakes : IAsyncDisposable
    {
        private readonly Lock _lock = new();
        private readonly List<(DateTimeOffset ResetsAt, int Accepted)> _windows = [];
        private readonly int _limit;
        private readonly TimeSpan _period;
        private readonly FastFakes _host;
        private int _calls;
        private int _refused;
        private long _sent;

        public WindowedFakes(int limit, TimeSpan period)
        {
            _limit = limit;
            _period = period;
            _host = new FastFakes(Send);
        }

        public Uri BaseAddress => _host.BaseAddress;

        public System.Collections.Concurrent.ConcurrentBag<(string Recipient, long At)> Delivered { get; } = [];

        public int Calls => _calls;

        public int Refused => _refused;

        public List<(DateTimeOffset ResetsAt, int Accepted)> Windows()
        {
            lock (_lock)
            {
                return [.. _windows];
            }
        }

        public Task StartAsync() => _host.StartAsync();

        public ValueTask DisposeAsync() => _host.DisposeAsync();

        private IResult Send(HttpContext context, JsonNode body, long at)
        {
            Interlocked.Increment(ref _calls);
            var now = DateTimeOffset.UtcNow;
            int remaining;
            DateTimeOffset resetsAt;
            lock (_lock)
            {
                if (_windows.Count == 0 || _windows[^1].ResetsAt <= now)
                {
                    _windows.Add((DateTimeOffset.FromUnixTimeSeconds((now + _period).ToUnixTimeSeconds()), 0));
                }

                var (reset, accepted) = _windows[^1];
                resetsAt = reset;
                if (accepted < _limit)
                {
                    _windows[^1] = (reset, accepted + 1);
                }

                remaining = _limit - accepted - 1;
            }

            context.Response.Headers["x-rate-limit-limit"] = _limit.ToString(CultureInfo.InvariantCulture);
            context.Response.Headers["x-rate-limit-remaining"] = Math.Max(0, remaining).ToString(CultureInfo.InvariantCulture);
            context.Response.Headers["x-rate-limit-reset"] = resetsAt.ToUnixTimeSeconds().ToString(CultureInfo.InvariantCulture);
            if (remaining < 0)
            {
                Interlocked.Increment(ref _refused);
                return Results.Json(new { errors = new[] { new { code = 88, message = "Rate limit exceeded" } } }, statusCode: StatusCodes.Status429TooManyRequests);
            }

            Delivered.Add((body["event"]!["message_create"]!["target"]!["recipient_id"]!.GetValue<string>(), at));
            var id = (1_990_000_000_000_000_000L + Interlocked.Increment(ref _sent)).ToString(CultureInfo.InvariantCulture);
            return Results.Json(new { @event = new { id, type = "message_create" } });
        }
    }
}
