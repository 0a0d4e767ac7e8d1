using MassTransit;
using RabbitMQ.Client;

namespace TwitterBot.ServiceDefaults;

public static class RabbitMqHostExtensions
{
    /// <summary>Connects to the broker node(s) in <c>Messaging:Rabbit</c>; several nodes form one cluster.</summary>
    public static void Host(this IRabbitMqBusFactoryConfigurator configurator, RabbitMqOptions options, string connectionName)
    {
        var nodes = options.Nodes();

        configurator.Host(nodes[0].Host, nodes[0].Port, options.VirtualHost, connectionName, host =>
        {
            host.Username(options.Username!);
            host.Password(options.Password!);
            if (nodes.Count > 1)
            {
                host.UseCluster(cluster =>
                {
                    foreach (var node in nodes)
                    {
                        cluster.Node(node.ToString());
                    }
                });
            }
        });
    }

    /// <summary>A plain RabbitMQ.Client connection to the first node of <c>Messaging:Rabbit</c> that answers.</summary>
    public static async Task<IConnection> OpenConnectionAsync(
        this RabbitMqOptions options, string clientName, CancellationToken cancellationToken, TimeSpan? connectionTimeout = null)
    {
        var factory = new ConnectionFactory
        {
            VirtualHost = options.VirtualHost,
            UserName = options.Username!,
            Password = options.Password!,
            ClientProvidedName = clientName,
        };
        if (connectionTimeout is { } timeout)
        {
            factory.RequestedConnectionTimeout = timeout;
        }

        return await factory.CreateConnectionAsync(options.Nodes().Select(n => new AmqpTcpEndpoint(n.Host, n.Port)).ToList(), cancellationToken);
    }
}
