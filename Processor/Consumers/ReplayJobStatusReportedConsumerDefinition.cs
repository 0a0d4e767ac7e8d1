using MassTransit;
using TwitterBot.ServiceDefaults;

namespace TwitterBot.Processor.Consumers;

public sealed class ReplayJobStatusReportedConsumerDefinition : ConsumerDefinition<ReplayJobStatusReportedConsumer>
{
    public ReplayJobStatusReportedConsumerDefinition() => EndpointName = DurableQueues.ReplayJobStatusReported;
}
