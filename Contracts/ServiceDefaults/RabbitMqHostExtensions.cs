using MassTransit;

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
}
