using System.Diagnostics;
using MassTransit;
using TwitterBot.Contracts;
using TwitterBot.Conventions.Ids;
using TwitterBot.Conventions.Queues;
using TwitterBot.ServiceDefaults;

namespace TwitterBot.Benchmarks;

/// <summary>
/// The broker's own ceiling: MassTransit publishing <c>DirectMessageReceived</c> with confirms into the same
/// topology the Ingress uses, from many concurrent publishers, with no HTTP in front.
/// </summary>
public sealed class Baseline : IAsyncDisposable
{
    private readonly IBusControl _bus;

    private Baseline(IBusControl bus) => _bus = bus;

    public static async Task<Baseline> StartAsync(string virtualHost, int partitions)
    {
        var bus = Bus.Factory.CreateUsingRabbitMq(rabbit =>
        {
            rabbit.Host(Infrastructure.AmqpHost, virtualHost, host =>
            {
                host.Username("guest");
                host.Password("guest");
            });
            rabbit.RouteConversations(partitions);
        });
        await bus.StartAsync();
        return new Baseline(bus);
    }

    /// <returns>Messages confirmed per second over <paramref name="hold"/>.</returns>
    public async Task<double> PublishForAsync(int concurrency, TimeSpan hold, int userOffset)
    {
        var confirmed = 0;
        var clock = Stopwatch.StartNew();
        await Task.WhenAll(Enumerable.Range(0, concurrency).Select(async worker =>
        {
            for (var i = 0; clock.Elapsed < hold; i++)
            {
                await PublishAsync(userOffset + (worker * 1_000_000) + i);
                Interlocked.Increment(ref confirmed);
            }
        }));
        return confirmed / clock.Elapsed.TotalSeconds;
    }

    /// <summary>Publishes exactly <paramref name="count"/> DMs, each from its own user.</summary>
    public async Task PublishCountAsync(int count, int concurrency, int userOffset)
    {
        var next = -1;
        await Task.WhenAll(Enumerable.Range(0, concurrency).Select(async _ =>
        {
            int index;
            while ((index = Interlocked.Increment(ref next)) < count)
            {
                await PublishAsync(userOffset + index);
            }
        }));
    }

    /// <summary>Publishes <paramref name="body"/> as it came, as the text of a DM from user <paramref name="user"/> (for <see cref="BaselineEndpoint"/>).</summary>
    public Task PublishRawAsync(ReadOnlyMemory<byte> body, int user) => PublishAsync(user, System.Text.Encoding.UTF8.GetString(body.Span));

    private Task PublishAsync(int user, string text = "Hello, I have a question about my order")
    {
        var sender = Webhooks.UserId(user);
        var message = new DirectMessageReceived
        {
            EventId = (1_800_000_000_000_000_000L + user).ToString(System.Globalization.CultureInfo.InvariantCulture),
            BotUserId = TestCredentials.BotUserId,
            BotId = TestCredentials.BotId,
            SenderId = sender,
            SenderName = "Jordan Brinks",
            SenderScreenName = "furiouscamper",
            Text = text,
            CreatedAt = DateTimeOffset.UtcNow,
        };
        return _bus.Publish(message, context =>
        {
            context.MessageId = MessageIds.For(message.BotUserId, message.EventId);
            context.Headers.Set(ConversationKeys.Header, ConversationKeys.For(message.BotUserId, sender));
        });
    }

    public async ValueTask DisposeAsync() => await _bus.StopAsync();
}
