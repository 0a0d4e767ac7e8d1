using Polly;
using Polly.CircuitBreaker;

namespace TwitterBot.Processor.Clients.Gateway;

/// <summary>
/// The kill switch for gateway outages. When most recent calls failed (unreachable, timed out, 5xx, 408, 429), the circuit opens: calls fail at once
/// without reaching the gateway, so every conversation partition holds its one message in retry and takes
/// nothing more from RabbitMQ (no flood of <c>_error</c>). After a pause one call probes the gateway; the
/// circuit closes by itself when it answers.
/// </summary>
public sealed partial class GatewayCircuit
{
    public static readonly TimeSpan BreakDuration = TimeSpan.FromSeconds(10);

    private readonly ResiliencePipeline _pipeline;

    public GatewayCircuit(ILogger<GatewayCircuit> logger, TimeProvider time)
    {
        var log = logger;
        _pipeline = new ResiliencePipelineBuilder { TimeProvider = time }
            .AddCircuitBreaker(new CircuitBreakerStrategyOptions
            {
                FailureRatio = 0.5,
                MinimumThroughput = 4,
                SamplingDuration = TimeSpan.FromSeconds(30),
                BreakDuration = BreakDuration,
                // Only an outage counts: a gateway that answered something unreadable is up.
                ShouldHandle = new PredicateBuilder().Handle<GatewayException>(failure => failure.IsOutage),
                OnOpened = _ =>
                {
                    LogOpened(log, BreakDuration);
                    return ValueTask.CompletedTask;
                },
                OnClosed = _ =>
                {
                    LogClosed(log);
                    return ValueTask.CompletedTask;
                },
            })
            .Build();
    }

    public async Task<T> ExecuteAsync<T>(Func<CancellationToken, Task<T>> call, CancellationToken cancellationToken)
    {
        try
        {
            return await _pipeline.ExecuteAsync(async token => await call(token), cancellationToken);
        }
        catch (BrokenCircuitException exception)
        {
            throw new GatewayException("The gateway has been failing; calls pause until it answers a probe again.", exception);
        }
    }

    [LoggerMessage(LogLevel.Error, "The gateway keeps failing: conversations pause (messages wait in RabbitMQ) and it is probed again in {Pause}.")]
    private static partial void LogOpened(ILogger logger, TimeSpan pause);

    [LoggerMessage(LogLevel.Information, "The gateway answers again: conversations resume.")]
    private static partial void LogClosed(ILogger logger);
}
