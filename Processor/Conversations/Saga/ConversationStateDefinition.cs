using MassTransit;
using Npgsql;
using TwitterBot.Conventions.Queues;
using TwitterBot.Processor.Clients.Gateway;
using TwitterBot.Processor.Clients.X;

namespace TwitterBot.Processor.Conversations.Saga;

/// <summary>
/// Conversations are ordered by the broker: each conversation-partition queue is consumed one message at a
/// time (prefetch 1), and retries happen before the message is acknowledged, so a user's later message
/// waits for the earlier one. Partitions run in parallel, on whichever replica is their active consumer.
/// </summary>
public sealed class ConversationStateDefinition : SagaDefinition<ConversationState>
{
    /// <summary>Retries of a gateway answer that is not an outage (a 4xx other than 408/429, a 2xx that is not JSON).</summary>
    public const int GatewayRefusalRetries = 2;

    public static readonly TimeSpan GatewayRefusalInterval = TimeSpan.FromSeconds(1);

    /// <summary>Configures one conversation-partition endpoint for the conversation saga.</summary>
    public static void ConfigurePartition(IRabbitMqReceiveEndpointConfigurator endpoint, string partition, IRegistrationContext context)
    {
        // The Ingress's publish topology owns the bindings (see DurableQueues.RouteConversations).
        endpoint.ConfigureConsumeTopology = false;
        endpoint.PrefetchCount = 1;
        endpoint.ConcurrentMessageLimit = 1;
        DurableQueues.Configure(endpoint, partition);
        // Stopped while X will not take a send for long, its message given back, not retried (see ConsumptionGate).
        endpoint.ConnectReceiveEndpointObserver(context.GetRequiredService<Quota.ConsumptionGate>());
        Quota.ReturnHeldBackFilter.Configure(endpoint);
        endpoint.ConfigureSaga<ConversationState>(context);
    }

    protected override void ConfigureSaga(
        IReceiveEndpointConfigurator endpointConfigurator,
        ISagaConfigurator<ConversationState> sagaConfigurator,
        IRegistrationContext context)
    {
        // On the endpoint, outside the saga repository, so that every attempt loads the conversation again.
        // Transient failures only: permanent refusals end the turn, rate limits and an app out of credits are
        // waited out in place up to Processor:Replies:MaxRateLimitWait; longer ones stop the partition and give the
        // message back to its queue (ConsumptionPausedException, neither retried nor dead-lettered). A send
        // whose outcome is unknown, and a lookup X cannot answer yet, are retried: the retry asks X again.
        // Retries re-enter the stored turn, so nothing done before the failure is done twice. While the
        // gateway is down its circuit fails calls at once, and the partition holds its one message here
        // (for up to about 25 minutes; RabbitMQ reclaims a delivery left unacknowledged for 30). Only outages wait that long.
        // A conversation saved by another consume since it was loaded (a stale update, or two first messages
        // racing to insert it) is retried too: the retry loads the newer state and decides again.
        // Two retry filters, the first outside the second; their exceptions do not overlap, so neither repeats the other's attempts.
        endpointConfigurator.UseMessageRetry(retry =>
        {
            retry.Handle<Exception>(IsTransient);
            retry.Exponential(30, TimeSpan.FromSeconds(1), TimeSpan.FromMinutes(1), TimeSpan.FromSeconds(2));
        });

        // A gateway that is up but refused this one request, or answered what is not JSON, will most likely do so again,
        // and the partition's other users wait behind it (prefetch 1): two quick retries ride out a blip (a proxy's error
        // page while the gateway restarts), then the message goes to _error for `dead-letters requeue` once the bot is fixed.
        endpointConfigurator.UseMessageRetry(retry =>
        {
            retry.Handle<Exception>(failure => Cause(failure) is GatewayException { IsOutage: false });
            retry.Interval(GatewayRefusalRetries, GatewayRefusalInterval);
        });
    }

    private static bool IsTransient(Exception failure) => Cause(failure) switch
    {
        GatewayException gateway => gateway.IsOutage,
        XApiException x => x.IsRetryable || x.OutcomeUnknown,
        NpgsqlException npgsql => npgsql.IsTransient,
        XOutcomeUnknownException or ReplyLookupUndecidedException or HttpRequestException or RateLimitedException
            or Quota.SendingSuspendedException or TurnInProgressException or ConcurrencyException => true,
        _ => false,
    };

    /// <summary>The turn's own failure: the state machine wraps what its activity throws in <see cref="EventExecutionException"/>.</summary>
    private static Exception Cause(Exception failure)
    {
        while (failure is EventExecutionException { InnerException: { } inner })
        {
            failure = inner;
        }

        return failure;
    }
}
