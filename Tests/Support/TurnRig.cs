using System.Diagnostics.Metrics;
using MassTransit;
using MassTransit.Testing;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using TwitterBot.Contracts;
using TwitterBot.Conventions.Ids;
using TwitterBot.Processor.Consumers;
using TwitterBot.Processor.Conversations;
using TwitterBot.Processor.Extensions;
using TwitterBot.ServiceDefaults;

namespace TwitterBot.Tests.Support;

/// <summary>
/// One Processor's conversation wiring on MassTransit's test harness (the conversation saga and the consumers keep
/// their definitions, so their retry policies run) with the real PostgreSQL store, a fake gateway and a fake X over HTTP, and
/// a <see cref="JumpingClock"/> shared by the Processor and the fake X: for specs about what X's answers
/// prove and about waits, without waiting. A "crash" is a wait that throws; a restart is the same message
/// published again (same message id), as the broker would redeliver it.
/// </summary>
public sealed class TurnRig : IAsyncDisposable
{
    private readonly IHost _host;

    private TurnRig(IHost host, PostgresDatabase database, FakeGateway gateway, FakeXApi x, JumpingClock clock, CapturedLogs logs)
    {
        _host = host;
        Database = database;
        Gateway = gateway;
        X = x;
        Clock = clock;
        Logs = logs;
        Harness = host.Services.GetTestHarness();
        Consumed = Harness.Bus.CountConsumed<DirectMessageReceived>();
        Metrics = new MeasuredMetrics(host.Services.GetRequiredService<IMeterFactory>(), ProcessorTelemetry.Name);
    }

    public ITestHarness Harness { get; }

    public PostgresDatabase Database { get; }

    public FakeGateway Gateway { get; }

    public FakeXApi X { get; }

    public JumpingClock Clock { get; }

    public CapturedLogs Logs { get; }

    public MeasuredMetrics Metrics { get; }

    public ConsumeCounter<DirectMessageReceived> Consumed { get; }

    public static readonly TimeSpan Patience = TimeSpan.FromSeconds(60);

    public static async Task<TurnRig> StartAsync(Action<Dictionary<string, string?>>? configure = null)
    {
        var gateway = new FakeGateway();
        await gateway.StartAsync();
        var clock = new JumpingClock(DateTimeOffset.UtcNow);
        var x = new FakeXApi { Clock = clock };
        await x.StartAsync();
        var database = await PostgresDatabase.CreateAsync();
        var logs = new CapturedLogs();

        var builder = Host.CreateApplicationBuilder(new HostApplicationBuilderSettings { EnvironmentName = "Testing", DisableDefaults = true });
        var settings = TestSettings.Common(store: database).UsingFakes(gateway, x);
        configure?.Invoke(settings);
        builder.Configuration.AddInMemoryCollection(settings);
        builder.Logging.AddProvider(logs);
        builder.AddProcessorOptions();
        builder.AddApiClients();
        builder.AddConversations();
        builder.AddConversationSagas();
        builder.Services.AddSingleton<TimeProvider>(clock);
        builder.Services.AddMassTransitTestHarness(bus =>
        {
            bus.AddConversationSaga();
            bus.AddConsumer<BotAccessRevokedConsumer, BotAccessRevokedConsumerDefinition>();
        });

        var host = builder.Build();
        await host.StartAsync();
        return new TurnRig(host, database, gateway, x, clock, logs);
    }

    /// <summary>Publishes a DM the way the Ingress does: its message id derived from the bot and the X event id.</summary>
    public async Task PublishAsync(string eventId, string text, string senderId = "3001969357")
    {
        var message = TestSettings.DirectMessage(eventId, text, senderId, Clock.GetUtcNow());
        await Harness.Bus.Publish(message, context => context.MessageId = MessageIds.For(TestCredentials.BotUserId, eventId));
    }

    /// <summary>Waits until <paramref name="count"/> consumes of DMs succeeded (retries included, faults not counted).</summary>
    public async Task WaitForAnsweredAsync(int count)
    {
        while (Consumed.Consumed < count)
        {
            await Consumed.WaitForAsync(1, Patience);
        }
    }

    /// <summary>Waits until <paramref name="count"/> consumes of DMs faulted (a simulated crash is not retried).</summary>
    public async Task WaitForFaultedAsync(int count)
    {
        while (Consumed.Faulted < count)
        {
            await Consumed.WaitForAsync(1, Patience);
        }
    }

    public async ValueTask DisposeAsync()
    {
        Metrics.Dispose();
        await _host.StopAsync();
        _host.Dispose();
        await Gateway.DisposeAsync();
        await X.DisposeAsync();
        await Database.DisposeAsync();
    }
}
