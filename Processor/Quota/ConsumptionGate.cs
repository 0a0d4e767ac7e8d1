using MassTransit;
using MassTransit.Middleware;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using TwitterBot.Processor.Conversations;

namespace TwitterBot.Processor.Quota;

/// <summary>
/// Stops this replica consuming the conversation partitions while X will not take a send for longer than a
/// delivery may be held (<c>Processor:Replies:MaxRateLimitWait</c>), so that a backlog waits in RabbitMQ, for hours if
/// need be, instead of in retries that end in <c>_error</c>:
/// <list type="bullet">
/// <item>the app's suspension (402, usage cap) or the app's window spent: every partition stops, until the store says
/// the suspension is over or the window has reset. While suspended, X is probed without a message
/// (<see cref="ConsumptionResumer"/>, <see cref="XAppProbe"/>), so no partition starts until a probe gets through;</item>
/// <item>one bot's window spent: only the partition that met it stops, until that bot's reset. Its other
/// conversations, of any bot, wait behind it (a partition keeps order by delivering one message at a time); the
/// other partitions go on, and stop in turn only if they meet a message of that bot.</item>
/// </list>
/// The message that met the hold is given back to its queue, in its place, neither retried nor dead-lettered, and
/// without a <c>Fault</c> (<see cref="ReturnHeldBackFilter"/>, <see cref="HeldBackIsNoFaultFilter"/>). RabbitMQ counts
/// that return as one delivery of the quorum queue's <c>x-delivery-limit</c>: one per hold and per message in flight,
/// however long the hold lasts. <see cref="ConsumptionResumer"/> starts the partitions again.
/// </summary>
public sealed partial class ConsumptionGate(ILogger<ConsumptionGate> logger) : IReceiveEndpointObserver
{
    /// <summary>How long a held-back consume waits for its partition to begin stopping before it gives its message back.</summary>
    public static readonly TimeSpan StopPatience = TimeSpan.FromSeconds(10);

    /// <summary>
    /// After its partition began stopping, how long a held-back consume lets MassTransit cancel the RabbitMQ consumer
    /// before it gives its message back, so that RabbitMQ does not deliver it again at once (which would cost one more delivery).
    /// </summary>
    public static readonly TimeSpan CancelSettle = TimeSpan.FromMilliseconds(250);

    private readonly Lock _lock = new();
    private readonly Dictionary<Uri, Partition> _partitions = [];
    private AppHold? _appHold;

    /// <summary>Why every partition is stopped, and until when (null: until the suspension ends).</summary>
    public sealed record AppHold(string Reason, DateTimeOffset? Until);

    private sealed class Partition(IReceiveEndpoint endpoint)
    {
        public IReceiveEndpoint Endpoint { get; set; } = endpoint;

        public bool Running { get; set; } = true;

        public (string Reason, DateTimeOffset Until)? Hold { get; set; }

        public TaskCompletionSource Stopping { get; set; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

        /// <summary>One start or stop of this partition at a time; the partitions' own are independent.</summary>
        public SemaphoreSlim Changing { get; } = new(1, 1);
    }

    public AppHold? HeldApp
    {
        get
        {
            lock (_lock)
            {
                return _appHold;
            }
        }
    }

    /// <summary>The partition this consume came from, when the gate controls it (else null: the caller waits in place as before).</summary>
    public Uri? PartitionOf(IPublishEndpoint events)
    {
        if (events is not ConsumeContext { ReceiveContext.InputAddress: { } address })
        {
            return null;
        }

        lock (_lock)
        {
            return _partitions.ContainsKey(address) ? address : null;
        }
    }

    /// <summary>The partitions stopped now, with why (for readiness and logs).</summary>
    public IReadOnlyList<(Uri Partition, string Reason, DateTimeOffset? Until)> Held()
    {
        lock (_lock)
        {
            return [.. _partitions.Where(p => !p.Value.Running).Select(p => (p.Key, p.Value.Hold?.Reason ?? _appHold?.Reason ?? "stopping", p.Value.Hold?.Until ?? _appHold?.Until))];
        }
    }

    /// <summary>
    /// Holds the app (<paramref name="appWide"/>: every partition) or only <paramref name="partition"/> until
    /// <paramref name="until"/>, waits until that partition begins stopping, and throws
    /// <see cref="ConsumptionPausedException"/>: the message goes back to its queue.
    /// </summary>
    public async Task<Exception> HoldAsync(Uri partition, bool appWide, string reason, DateTimeOffset? until, CancellationToken cancellationToken)
    {
        Task stopping;
        lock (_lock)
        {
            if (appWide)
            {
                var first = _appHold is null;
                _appHold = new AppHold(reason, until);
                if (first)
                {
                    LogHeldApp(reason, until);
                }
            }
            else if (_partitions.TryGetValue(partition, out var one))
            {
                one.Hold = (reason, until ?? DateTimeOffset.MaxValue);
                LogHeldPartition(partition, reason, until);
            }

            stopping = _partitions.TryGetValue(partition, out var held) ? held.Stopping.Task : Task.CompletedTask;
        }

        // Stopping a partition waits for its consume (this one) to end: applied on its own, never awaited here.
        _ = Task.Run(() => ApplyAsync(CancellationToken.None), CancellationToken.None);
        try
        {
            await stopping.WaitAsync(StopPatience, cancellationToken);
            await Task.Delay(CancelSettle, cancellationToken);
        }
        catch (TimeoutException)
        {
            // Given back anyway: at worst RabbitMQ delivers it once more, and it is held again.
        }

        return new ConsumptionPausedException(reason);
    }

    /// <summary>The app's hold is over (the suspension ended, the app's window reset): every partition not held on its own starts.</summary>
    public Task ReleaseAppAsync(CancellationToken cancellationToken)
    {
        lock (_lock)
        {
            if (_appHold is not { } hold)
            {
                return Task.CompletedTask;
            }

            _appHold = null;
            LogReleasedApp(hold.Reason);
        }

        return ApplyAsync(cancellationToken);
    }

    /// <summary>Partitions held on their own whose hold ended by <paramref name="now"/> start again.</summary>
    public Task ReleaseDueAsync(DateTimeOffset now, CancellationToken cancellationToken)
    {
        lock (_lock)
        {
            var due = _partitions.Where(p => p.Value.Hold is { } hold && hold.Until <= now).ToList();
            if (due.Count == 0)
            {
                return Task.CompletedTask;
            }

            foreach (var (address, partition) in due)
            {
                LogReleasedPartition(address, partition.Hold!.Value.Reason);
                partition.Hold = null;
            }
        }

        return ApplyAsync(cancellationToken);
    }

    /// <summary>
    /// Starts and stops partitions until each runs as the holds say. Each partition on its own (a stop waits for
    /// the partition's consume, which may be waiting in place for a short while): one never waits for another.
    /// </summary>
    public async Task ApplyAsync(CancellationToken cancellationToken)
    {
        List<Task> changes = [];
        lock (_lock)
        {
            foreach (var (address, partition) in _partitions)
            {
                var run = partition.Hold is null && _appHold is null;
                if (run != partition.Running)
                {
                    partition.Running = run;
                    changes.Add(ChangeAsync(address, partition, run, cancellationToken));
                }
            }
        }

        await Task.WhenAll(changes);
    }

    private async Task ChangeAsync(Uri address, Partition partition, bool start, CancellationToken cancellationToken)
    {
        await partition.Changing.WaitAsync(cancellationToken);
        try
        {
            if (start)
            {
                lock (_lock)
                {
                    partition.Stopping = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
                }

                await partition.Endpoint.Start(CancellationToken.None).Ready;
            }
            else
            {
                await partition.Endpoint.Stop(CancellationToken.None);
            }
        }
        catch (Exception failure)
        {
            lock (_lock)
            {
                partition.Running = !start; // as it is: the next check tries again
            }

            LogChangeFailed(failure, start ? "start" : "stop", address);
        }
        finally
        {
            partition.Changing.Release();
        }
    }

    Task IReceiveEndpointObserver.Ready(ReceiveEndpointReady ready)
    {
        lock (_lock)
        {
            if (_partitions.TryGetValue(ready.InputAddress, out var known))
            {
                known.Endpoint = ready.ReceiveEndpoint;
            }
            else
            {
                _partitions[ready.InputAddress] = new Partition(ready.ReceiveEndpoint);
            }
        }

        return Task.CompletedTask;
    }

    Task IReceiveEndpointObserver.Stopping(ReceiveEndpointStopping stopping)
    {
        lock (_lock)
        {
            if (_partitions.TryGetValue(stopping.InputAddress, out var partition))
            {
                partition.Stopping.TrySetResult();
            }
        }

        return Task.CompletedTask;
    }

    Task IReceiveEndpointObserver.Completed(ReceiveEndpointCompleted completed) => Task.CompletedTask;

    Task IReceiveEndpointObserver.Faulted(ReceiveEndpointFaulted faulted) => Task.CompletedTask;

    [LoggerMessage(LogLevel.Warning, "{Reason}: this replica stops consuming every conversation partition (until {Until}; none means until X takes a send again). Messages wait in RabbitMQ, in order; none is retried or dead-lettered meanwhile.")]
    private partial void LogHeldApp(string reason, DateTimeOffset? until);

    [LoggerMessage(LogLevel.Information, "The app may send again ({Reason} is over): this replica consumes the conversation partitions again.")]
    private partial void LogReleasedApp(string reason);

    [LoggerMessage(LogLevel.Warning, "{Reason}: this replica stops consuming partition {Partition} until {Until}; its messages wait in RabbitMQ, in order.")]
    private partial void LogHeldPartition(Uri partition, string reason, DateTimeOffset? until);

    [LoggerMessage(LogLevel.Information, "Partition {Partition} is consumed again ({Reason} is over).")]
    private partial void LogReleasedPartition(Uri partition, string reason);

    [LoggerMessage(LogLevel.Error, "Could not {Change} partition {Partition}; the next check tries again.")]
    private partial void LogChangeFailed(Exception failure, string change, Uri partition);
}

/// <summary>The consume met a hold of the <see cref="ConsumptionGate"/>: its message goes back to its queue, in its place, not retried, not dead-lettered.</summary>
public sealed class ConsumptionPausedException(string reason)
    : Exception($"Consumption paused ({reason}); the message is given back to its queue.")
{
    /// <summary>Whether <paramref name="failure"/> is one, or wraps one (the state machine wraps what its activities throw).</summary>
    public static bool IsCause(Exception? failure)
    {
        for (; failure is not null; failure = failure.InnerException)
        {
            if (failure is ConsumptionPausedException)
            {
                return true;
            }
        }

        return false;
    }
}

/// <summary>
/// The conversation partitions' error pipe: a message held back by the <see cref="ConsumptionGate"/> is given back to
/// its queue (the exception goes on to the transport, which negatively acknowledges it with requeue); any other
/// failure is faulted and moved to <c>_error</c>, MassTransit's default.
/// </summary>
public sealed class ReturnHeldBackFilter : IFilter<ExceptionReceiveContext>
{
    /// <summary>Configures a partition's error pipe, and its consume pipe's outermost filter (before any retry).</summary>
    public static void Configure(IReceiveEndpointConfigurator endpoint)
    {
        endpoint.UseFilter(new HeldBackIsNoFaultFilter());
        endpoint.ConfigureError(error =>
        {
            error.UseFilter(new ReturnHeldBackFilter());
            error.UseFilter(new GenerateFaultFilter());
            error.UseFilter(new ErrorTransportFilter());
        });
    }

    public Task Send(ExceptionReceiveContext context, IPipe<ExceptionReceiveContext> next)
    {
        if (ConsumptionPausedException.IsCause(context.Exception))
        {
            System.Runtime.ExceptionServices.ExceptionDispatchInfo.Capture(context.Exception).Throw();
        }

        return next.Send(context);
    }

    public void Probe(ProbeContext context) => context.CreateFilterScope("returnHeldBack");
}

/// <summary>
/// A held-back message's return is not a fault: MassTransit publishes a <c>Fault&lt;T&gt;</c> for every consume that
/// throws (no one consumes it here), so the consume runs in a context that tells the observers, as any failure
/// does, but publishes no fault when the failure is a <see cref="ConsumptionPausedException"/>. Any other failure
/// publishes its fault as before.
/// </summary>
public sealed class HeldBackIsNoFaultFilter : IFilter<ConsumeContext>
{
    public Task Send(ConsumeContext context, IPipe<ConsumeContext> next) => next.Send(new HeldBackConsumeContext(context));

    public void Probe(ProbeContext context) => context.CreateFilterScope("heldBackIsNoFault");

    private sealed class HeldBackConsumeContext(ConsumeContext context) : MassTransit.Context.ConsumeContextScope(context)
    {
        public override Task NotifyFaulted<T>(ConsumeContext<T> context, TimeSpan duration, string consumerType, Exception exception) =>
            ConsumptionPausedException.IsCause(exception)
                ? ReceiveContext.NotifyFaulted(context, duration, consumerType, exception)
                : base.NotifyFaulted(context, duration, consumerType, exception);
    }
}

/// <summary>Readiness degraded, with the reason, while this replica has stopped consuming conversation partitions.</summary>
public sealed class ConsumptionGateHealthCheck(ConsumptionGate gate) : IHealthCheck
{
    public Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default)
    {
        var held = gate.Held();
        return Task.FromResult(held.Count == 0
            ? HealthCheckResult.Healthy()
            : HealthCheckResult.Degraded($"{held.Count} conversation partition(s) not consumed: {string.Join("; ", held.Select(h => h.Reason).Distinct())}. Their messages wait in RabbitMQ."));
    }
}
