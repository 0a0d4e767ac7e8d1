using MassTransit;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Hosting;

namespace TwitterBot.ServiceDefaults;

/// <summary>Start-up work the bus must not start before: the queues' arguments checked, a store's schema created.</summary>
public interface IBeforeBusStart
{
    /// <summary>The broker.</summary>
    public const string RabbitMq = "RabbitMQ";

    /// <summary>The Processor's conversation store (PostgreSQL, or memory).</summary>
    public const string ConversationStore = "conversation store";

    /// <summary>
    /// The server the step works on: steps on one server run in order of registration (a later one may rely on an
    /// earlier one's work), steps on different servers at the same time.
    /// </summary>
    string Server { get; }

    /// <summary>Throws to stop the service at start, with a message that says what to do.</summary>
    Task RunAsync(CancellationToken cancellationToken);
}

/// <summary>
/// Runs the <see cref="IBeforeBusStart"/> steps once (those of one server in order of registration, each server's
/// beside the others') and holds the bus's start until they are all done. The host starts its services
/// concurrently, so Kestrel listens, warms up and answers (readiness 503 until the bus is up, X's CRC at once) while
/// the steps wait on the broker and the database, instead of only after them (BENCHMARKS.md, "Start-up"). Whichever
/// asks first runs the steps: the host (a failing step fails the start and stops the service) or the bus's start (a
/// test harness that starts the bus before the hosted services).
/// </summary>
public sealed class BeforeBusStartSteps(IEnumerable<IBeforeBusStart> steps) : IHostedService, IBusObserver
{
    private readonly Lock _gate = new();
    private Task? _run;

    public Task StartAsync(CancellationToken cancellationToken) => RunOnce(cancellationToken);

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    public Task PreStart(IBus bus) => RunOnce(CancellationToken.None);

    private Task RunOnce(CancellationToken cancellationToken)
    {
        lock (_gate)
        {
            return _run ??= RunStepsAsync(cancellationToken);
        }
    }

    private async Task RunStepsAsync(CancellationToken cancellationToken)
    {
        // The host calls each service's StartAsync in turn and runs it up to its first await: yield first, so that it
        // goes on to start Kestrel while the steps run.
        await Task.Yield();
        await Task.WhenAll(steps.GroupBy(step => step.Server).Select(async server =>
        {
            foreach (var step in server)
            {
                await step.RunAsync(cancellationToken);
            }
        }));
    }

    public void PostCreate(IBus bus)
    {
    }

    public void CreateFaulted(Exception exception)
    {
    }

    public Task PostStart(IBus bus, Task<BusReady> busReady) => Task.CompletedTask;

    public Task StartFaulted(IBus bus, Exception exception) => Task.CompletedTask;

    public Task PreStop(IBus bus) => Task.CompletedTask;

    public Task PostStop(IBus bus) => Task.CompletedTask;

    public Task StopFaulted(IBus bus, Exception exception) => Task.CompletedTask;
}

public static class BeforeBusStartExtensions
{
    /// <summary>
    /// Registers <typeparamref name="TStep"/> (a singleton) as a step the bus's start waits for, after the steps on
    /// the same server registered before it; the first call also lets the host start its services concurrently. A
    /// step that is also a hosted service (a maintenance loop that goes on after its step) is started by the host as
    /// the same instance.
    /// </summary>
    public static IServiceCollection AddBeforeBusStart<TStep>(this IServiceCollection services)
        where TStep : class, IBeforeBusStart
    {
        if (!services.Any(service => service.ServiceType == typeof(BeforeBusStartSteps)))
        {
            services.AddSingleton<BeforeBusStartSteps>();
            services.AddHostedService(provider => provider.GetRequiredService<BeforeBusStartSteps>());
            services.AddBusObserver(provider => provider.GetRequiredService<BeforeBusStartSteps>());
            services.Configure<HostOptions>(host => host.ServicesStartConcurrently = true);
        }

        services.TryAddSingleton<TStep>();
        services.AddSingleton<IBeforeBusStart>(provider => provider.GetRequiredService<TStep>());
        if (typeof(IHostedService).IsAssignableFrom(typeof(TStep)))
        {
            services.AddSingleton(typeof(IHostedService), provider => provider.GetRequiredService<TStep>());
        }

        return services;
    }
}
