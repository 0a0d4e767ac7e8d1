using MassTransit;
using TwitterBot.Processor.Conversations;

namespace TwitterBot.Processor.Consumers;

/// <summary>Counts the messages whose consumer failed after every retry: MassTransit moves them to <c>_error</c>.</summary>
public sealed class DeadLetterObserver(ProcessorTelemetry telemetry) : IConsumeObserver
{
    public Task PreConsume<T>(ConsumeContext<T> context) where T : class => Task.CompletedTask;

    public Task PostConsume<T>(ConsumeContext<T> context) where T : class => Task.CompletedTask;

    public Task ConsumeFault<T>(ConsumeContext<T> context, Exception exception) where T : class
    {
        if (!Quota.ConsumptionPausedException.IsCause(exception))
        {
            // Held back, given back to its queue: not dead-lettered (see ConsumptionGate).
            telemetry.DeadLettered(typeof(T).Name);
        }

        return Task.CompletedTask;
    }
}
