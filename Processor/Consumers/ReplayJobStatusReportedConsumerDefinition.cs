using MassTransit;
using TwitterBot.Conventions.Queues;

namespace TwitterBot.Processor.Consumers;

public sealed class ReplayJobStatusReportedConsumerDefinition : ConsumerDefinition<ReplayJobStatusReportedConsumer>
{
    public ReplayJobStatusReportedConsumerDefinition() => EndpointName = DurableQueues.ReplayJobStatusReported;
}
