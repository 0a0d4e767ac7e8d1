using MassTransit;
using MassTransit.Testing;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using TwitterBot.Contracts;
using TwitterBot.Conventions.Ids;
using TwitterBot.Processor.Conversations.Saga;
using TwitterBot.Processor.Extensions;
using TwitterBot.ServiceDefaults;

namespace TwitterBot.Tests.Support;

/// <summary>
/// The Processor's conversation wiring (options, typed clients, the in-memory store, the conversation saga
/// in MassTransit's in-memory saga repository) on MassTransit's test harness instead of RabbitMQ, against a
/// fake gateway and a fake X over real HTTP. The saga keeps its definition (its retry policy); the harness's
/// in-memory transport does not serialize a conversation the way the partition queues do, so copies of one
/// message run concurrently.
/// </summary>
public sealed class ProcessorHarness : IAsyncDisposable
{
    private readonly IHost _host;

    private ProcessorHarness(IHost host, FakeGateway gateway, FakeXApi x)
    {
        _host = host;
        Gateway = gateway;
        X = x;
        Harness = host.Services.GetTestHarness();
        Consumed = Harness.Bus.CountConsumed<DirectMessageReceived>();
    }

    public ITestHarness Harness { get; }

    /// <summary>The Processor's own services (its turn ledger, its options).</summary>
    public IServiceProvider Services => _host.Services;

    public FakeGateway Gateway { get; }

    public FakeXApi X { get; }

    /// <summary>The conversation sagas: which were created, and in which state each is.</summary>
    public ISagaStateMachineTestHarness<ConversationStateMachine, ConversationState> Conversations =>
        Harness.GetSagaStateMachineHarness<ConversationStateMachine, ConversationState>();

    /// <param name="configure">Settings on top of the common ones.</param>
    /// <param name="time">The Processor's clock, when a spec moves it.</param>
    public static async Task<ProcessorHarness> StartAsync(Action<Dictionary<string, string?>>? configure = null, TimeProvider? time = null)
    {
        var gateway = new FakeGateway();
        await gateway.StartAsync();
        var x = new FakeXApi();
        await x.StartAsync();

        var builder = Host.CreateApplicationBuilder(new HostApplicationBuilderSettings { EnvironmentName = "Testing", DisableDefaults = true });
        var settings = TestSettings.Common().UsingFakes(gateway, x);
        settings["Processor:Store:Kind"] = "InMemory";
        configure?.Invoke(settings);
        builder.Configuration.AddInMemoryCollection(settings);
        builder.AddProcessorOptions();
        builder.AddApiClients();
        builder.AddConversations();
        builder.AddConversationSagas();
        if (time is not null)
        {
            builder.Services.AddSingleton(time);
        }

        builder.Services.AddMassTransitTestHarness(bus => bus.AddConversationSaga());
        // The harness's lists (Select, Count, an Any that finds nothing) return once the bus has been idle this long, so
        // every spec that reads one waits it out once. Specs wait for what must happen by polling (WaitForAnsweredAsync,
        // the echo wait), never on this; it only bounds how long "nothing else happened" is watched.
        builder.Services.Configure<TestHarnessOptions>(harness => harness.TestInactivityTimeout = TimeSpan.FromSeconds(3));

        var host = builder.Build();
        await host.StartAsync();
        return new ProcessorHarness(host, gateway, x);
    }

    /// <summary>Publishes a DM the way the Ingress does: its message id derived from the bot and the X event id.</summary>
    public async Task<Guid> PublishAsync(string eventId, string text, string senderId = "3001969357")
    {
        var messageId = MessageIds.For(TestCredentials.BotUserId, eventId);
        await Harness.Bus.Publish(TestSettings.DirectMessage(eventId, text, senderId, DateTimeOffset.UtcNow), context => context.MessageId = messageId);
        return messageId;
    }

    /// <summary>
    /// Counts every consume of a DM, each delivery of the same message id included (the harness's own
    /// lists keep one entry per message id).
    /// </summary>
    public ConsumeCounter<DirectMessageReceived> Consumed { get; }

    /// <summary>Waits until <paramref name="count"/> consumes of DMs succeeded (retries included, faults not counted).</summary>
    public async Task WaitForAnsweredAsync(int count, TimeSpan within)
    {
        while (Consumed.Consumed < count)
        {
            await Consumed.WaitForAsync(1, within);
        }
    }

    public async ValueTask DisposeAsync()
    {
        await _host.StopAsync();
        _host.Dispose();
        await Gateway.DisposeAsync();
        await X.DisposeAsync();
    }
}
