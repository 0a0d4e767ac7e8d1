using RabbitMQ.Client;
using TwitterBot.ServiceDefaults;

namespace TwitterBot.Processor.CommandLine;

/// <summary>Plain RabbitMQ.Client connections for the operator commands, to the nodes of <c>Messaging:Rabbit</c>.</summary>
public static class BrokerConnections
{
    public static async Task<IConnection> OpenAsync(RabbitMqOptions options, string clientName, CancellationToken cancellationToken)
    {
        var factory = new ConnectionFactory
        {
            VirtualHost = options.VirtualHost,
            UserName = options.Username!,
            Password = options.Password!,
            ClientProvidedName = clientName,
        };
        return await factory.CreateConnectionAsync(options.Nodes().Select(n => new AmqpTcpEndpoint(n.Host, n.Port)).ToList(), cancellationToken);
    }
}
