using System.Diagnostics;
using System.Globalization;
using TwitterBot.Processor.XChat.Protocol;

namespace TwitterBot.Benchmarks;

/// <summary>
/// The cost of XChat's protocol per message, in process (<c>bench xchat [--iterations N]</c>): decode + verify +
/// decrypt of an incoming message, encrypt + sign of a reply, and opening a key change. Fresh keys, served in
/// production's SPKI form; the served keys' binding check is done once per key set (as a caller caching them would).
/// </summary>
public static class XChatCost
{
    private const string UserId = "1001";
    private const string BotId = "2002";

    public static int Run(string[] args, TextWriter log)
    {
        ArgumentNullException.ThrowIfNull(args);
        ArgumentNullException.ThrowIfNull(log);
        var iterations = int.Parse(args.SkipWhile(a => a != "--iterations").Skip(1).FirstOrDefault() ?? "2000", CultureInfo.InvariantCulture);
        var warmUp = Math.Max(100, iterations / 10);

        using var user = XChatKeyPair.Generate("1");
        using var bot = XChatKeyPair.Generate("2");
        XChatUserPublicKeys[] served = [user.ToServedKeys(UserId), bot.ToServedKeys(BotId)];
        _ = served.All(keys => keys.BindingVerifies);
        var key = XChatConversationKey.Generate(XChatConversationId.Pair(UserId, BotId), "1700000000000");
        XChatConversationKeyLookup lookup = (_, _) => key;
        const string text = "Hello! I would like to know where my order is, it was due yesterday. Order 12345.";
        var incoming = XChatProtocol.SealMessage(user, UserId, key, text, "m-1").ToEvent("1", "1700000000000");
        var keyChange = XChatProtocol.SealKeyChange(user, UserId, key, served, "kc-1").ToEvent("0", "1700000000000");

        var open = Measure(warmUp, iterations, () =>
            XChatProtocol.OpenMessage((XChatMessageEvent)XChatEvents.Decode(incoming), lookup, served));
        var seal = Measure(warmUp, iterations, () => XChatProtocol.SealMessage(bot, BotId, key, text, "r-1"));
        var change = Measure(warmUp, iterations, () =>
            XChatProtocol.OpenKeyChange((XChatKeyChangeEvent)XChatEvents.Decode(keyChange), bot, BotId, served));

        log.WriteLine($"XChat protocol cost per message ({iterations} iterations after {warmUp} warm-up, one thread):");
        log.WriteLine("| Operation | median | p99 |");
        log.WriteLine("|---|---|---|");
        log.WriteLine(Row("Incoming message: decode + verify + decrypt", open));
        log.WriteLine(Row("Reply: encrypt + sign", seal));
        log.WriteLine(Row("Key change: decode + ECIES open + verify", change));
        return 0;
    }

    private static string Row(string operation, (double Median, double P99) cost) =>
        string.Create(CultureInfo.InvariantCulture, $"| {operation} | {cost.Median:F0} µs | {cost.P99:F0} µs |");

    private static (double Median, double P99) Measure(int warmUp, int iterations, Func<object> operation)
    {
        for (var i = 0; i < warmUp; i++)
            GC.KeepAlive(operation());
        var samples = new double[iterations];
        for (var i = 0; i < iterations; i++)
        {
            var started = Stopwatch.GetTimestamp();
            GC.KeepAlive(operation());
            samples[i] = Stopwatch.GetElapsedTime(started).TotalMicroseconds;
        }
        Array.Sort(samples);
        return (samples[iterations / 2], samples[Math.Min(iterations - 1, (int)Math.Ceiling(iterations * 0.99) - 1)]);
    }
}
