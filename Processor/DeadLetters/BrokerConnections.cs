using RabbitMQ.Client;
using TwitterBot.ServiceDefaults;

namespace TwitterBot.Processor.DeadLetters;

/// <summary>Plain RabbitMQ.Client connections for the operator commands, to the nodes of <c>Messaging:Rabbit</c>.</summary>
public static class BrokerConnections
{
    public static Task<IConnection> OpenAsync(RabbitMqOptions options, string clientName, CancellationToken cancellationToken) =>
        options.OpenConnectionAsync(clientName, cancellationToken);
}
