using MassTransit;
using Microsoft.Extensions.Options;
using System.Text;
using Npgsql;
using TwitterBot.Contracts;
using TwitterBot.Processor.Clients.Gateway;
using TwitterBot.Processor.Clients.X;
using TwitterBot.Processor.Conversations;
using TwitterBot.Processor.Options;
using TwitterBot.ServiceDefaults;

namespace TwitterBot.Processor.Consumers;

/// <summary>
/// Order and failure policy of conversations. The queue has a single active consumer (one replica at a time
/// consumes it, the others stand by), and within that replica one conversation is handled at a time
/// (partitioned by conversation key) while different conversations run concurrently. Retries happen inside
/// the conversation's partition, so a later message of the same user waits for the earlier one.
/// </summary>
public sealed class DirectMessageReceivedConsumerDefinition : ConsumerDefinition<DirectMessageReceivedConsumer>
{
    private readonly ProcessorOptions _options;

    public DirectMessageReceivedConsumerDefinition(IOptions<ProcessorOptions> options)
    {
        _options = options.Value;
        EndpointName = DurableQueues.DirectMessageReceived;
        ConcurrentMessageLimit = _options.ConcurrentMessages;
    }

    protected override void ConfigureConsumer(
        IReceiveEndpointConfigurator endpointConfigurator,
        IConsumerConfigurator<DirectMessageReceivedConsumer> consumerConfigurator,
        IRegistrationContext context)
    {
        endpointConfigurator.PrefetchCount = _options.ConcurrentMessages * 2;

        // On the endpoint's untyped pipe, which runs before the typed pipe that holds the retry filter: a
        // message's retries happen while it holds its conversation's slot.
        endpointConfigurator.UsePartitioner(_options.ConcurrentMessages, (ConsumeContext delivery) => ConversationOf(delivery), Encoding.UTF8);

        // Transient failures only: permanent refusals end the turn, rate limits are waited out in place.
        // Retries re-enter the stored turn, so nothing done before the failure is done twice.
        endpointConfigurator.UseMessageRetry(retry =>
        {
            retry.Handle<GatewayException>();
            retry.Handle<XApiException>(failure => failure.Kind == XFailureKind.Transient);
            retry.Handle<XOutcomeUnknownException>();
            retry.Handle<HttpRequestException>();
            retry.Handle<RateLimitedException>();
            retry.Handle<NpgsqlException>(failure => failure.IsTransient);
            retry.Exponential(10, TimeSpan.FromSeconds(1), TimeSpan.FromMinutes(2), TimeSpan.FromSeconds(2));
        });
    }

    private static string ConversationOf(ConsumeContext delivery) =>
        delivery.TryGetMessage<DirectMessageReceived>(out var received)
            ? ConversationKeys.For(received.Message.BotUserId, received.Message.SenderId)
            : delivery.MessageId?.ToString() ?? string.Empty;
}
