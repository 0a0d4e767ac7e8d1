using System.Net;
using System.Threading.Channels;
using MassTransit;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using TwitterBot.Processor.Conversations.Saga;

namespace TwitterBot.Tests.Support;

/// <summary>The real Processor in memory, consuming from the broker its settings name.</summary>
public sealed class ProcessorFactory(IDictionary<string, string?> settings) : WebApplicationFactory<ConversationStateMachine>
{
    public CapturedLogs Logs { get; } = new();

    /// <summary>The spans the Processor's pipeline exports.</summary>
    public CapturedSpans Spans { get; } = new();

    /// <summary>The Processor's clock, when a spec moves it.</summary>
    public TimeProvider? Time { get; init; }

    protected override void ConfigureWebHost(IWebHostBuilder builder)
    {
        builder.UseEnvironment("Testing");
        builder.ConfigureAppConfiguration(configuration => configuration.AddInMemoryCollection(settings));
        builder.ConfigureLogging(logging => logging.AddProvider(Logs));
        builder.ConfigureServices(Spans.ExportFrom);
        if (Time is { } time)
        {
            builder.ConfigureServices(services => services.AddSingleton(time));
        }
    }

    /// <summary>Polls /health/ready until the bus is connected and its receive endpoints are up.</summary>
    public async Task WaitUntilReadyAsync(TimeSpan within)
    {
        using var client = CreateClient();
        using var timeout = new CancellationTokenSource(within);
        while (true)
        {
            using var response = await client.GetAsync(new Uri("/health/ready", UriKind.Relative), timeout.Token);
            if (response.StatusCode == HttpStatusCode.OK)
            {
                return;
            }

            await Task.Delay(TimeSpan.FromMilliseconds(100), timeout.Token);
        }
    }

    /// <summary>Receives every <typeparamref name="T"/> published on this broker from now on.</summary>
    public async Task<ChannelReader<T>> SubscribeAsync<T>() where T : class
    {
        var received = Channel.CreateUnbounded<T>();
        var handle = Services.GetRequiredService<IBus>().ConnectReceiveEndpoint($"spec-{typeof(T).Name}-{Guid.NewGuid():N}", endpoint =>
            endpoint.Handler<T>(context => received.Writer.WriteAsync(context.Message).AsTask()));
        await handle.Ready;
        return received.Reader;
    }

    /// <summary>Counts messages of type <typeparamref name="T"/> whose consumer finished, and faults.</summary>
    public ConsumeCounter<T> CountConsumed<T>() where T : class => Services.GetRequiredService<IBus>().CountConsumed<T>();
}

public static class ConsumeCounting
{
    /// <summary>Counts messages of type <typeparamref name="T"/> consumed on this bus from now on, every delivery of one message id included.</summary>
    public static ConsumeCounter<T> CountConsumed<T>(this IConsumeMessageObserverConnector bus) where T : class
    {
        var counter = new ConsumeCounter<T>();
        bus.ConnectConsumeMessageObserver(counter);
        return counter;
    }
}

public sealed class ConsumeCounter<T> : IConsumeMessageObserver<T> where T : class
{
    private readonly Channel<bool> _finished = Channel.CreateUnbounded<bool>();
    private int _consumed;
    private int _faulted;

    public int Consumed => _consumed;

    public int Faulted => _faulted;

    /// <summary>Waits until <paramref name="count"/> consumes finished, successfully or not.</summary>
    public async Task WaitForAsync(int count, TimeSpan within)
    {
        using var timeout = new CancellationTokenSource(within);
        for (var i = 0; i < count; i++)
        {
            await _finished.Reader.ReadAsync(timeout.Token);
        }
    }

    Task IConsumeMessageObserver<T>.PreConsume(ConsumeContext<T> context) => Task.CompletedTask;

    Task IConsumeMessageObserver<T>.PostConsume(ConsumeContext<T> context)
    {
        Interlocked.Increment(ref _consumed);
        _finished.Writer.TryWrite(true);
        return Task.CompletedTask;
    }

    Task IConsumeMessageObserver<T>.ConsumeFault(ConsumeContext<T> context, Exception exception)
    {
        Interlocked.Increment(ref _faulted);
        _finished.Writer.TryWrite(true);
        return Task.CompletedTask;
    }
}
