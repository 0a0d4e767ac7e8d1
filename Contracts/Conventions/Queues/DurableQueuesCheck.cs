using MassTransit;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using RabbitMQ.Client.Exceptions;
using TwitterBot.ServiceDefaults;

namespace TwitterBot.Conventions.Queues;

/// <summary>
/// Declares every durable queue (<see cref="DurableQueues.Declarations"/>) before the bus starts, so that each
/// work queue's dead-letter target exists before anything can be dead-lettered into it, and stops the service
/// when the broker holds one of them with other arguments. RabbitMQ refuses to change a queue's arguments
/// (<c>PRECONDITION_FAILED</c>); MassTransit would only log that refusal again and again while the
/// service looked alive. A broker that cannot be reached at start is left to MassTransit, which declares the
/// same queues when it connects. The bus's start waits for it (<see cref="IBeforeBusStart"/>); it runs beside the steps on
/// other servers.
/// </summary>
public sealed partial class DurableQueuesCheck(
    IServiceProvider services, IOptions<RabbitMqOptions> options, IHostEnvironment environment, ILogger<DurableQueuesCheck> logger) : IBeforeBusStart
{
    /// <summary>How long the check waits for a broker node to accept its connection.</summary>
    private static readonly TimeSpan ConnectionTimeout = TimeSpan.FromSeconds(5);

    private const int PreconditionFailed = 406;

    public string Server => IBeforeBusStart.RabbitMq;

    public async Task RunAsync(CancellationToken cancellationToken)
    {
        if (services.GetRequiredService<IBus>().Topology is not IRabbitMqBusTopology)
        {
            return; // another transport (a test harness) declares nothing on RabbitMQ
        }

        var settings = options.Value;
        RabbitMQ.Client.IConnection connection;
        try
        {
            connection = await settings.OpenConnectionAsync($"{environment.ApplicationName}-queue-check", cancellationToken, ConnectionTimeout);
        }
        catch (BrokerUnreachableException failure)
        {
            LogBrokerUnreachable(logger, failure.InnerException?.Message ?? failure.Message);
            return;
        }

        var refused = new List<string>();
        await using (connection)
        {
            // One channel for every declare (each open and close is a round trip on the start path); a refused
            // declare closes its channel, so only then is another opened.
            RabbitMQ.Client.IChannel? channel = null;
            try
            {
                foreach (var (queue, arguments) in DurableQueues.Declarations(settings.ConversationPartitions))
                {
                    channel ??= await connection.CreateChannelAsync(cancellationToken: cancellationToken);
                    try
                    {
                        await channel.QueueDeclareAsync(queue, durable: true, exclusive: false, autoDelete: false,
                            arguments.ToDictionary(a => a.Key, a => (object?)a.Value), cancellationToken: cancellationToken);
                    }
                    catch (OperationInterruptedException failure) when (failure.ShutdownReason?.ReplyCode == PreconditionFailed)
                    {
                        refused.Add(Refusal(queue, settings.VirtualHost, arguments, failure.ShutdownReason.ReplyText));
                        await channel.DisposeAsync();
                        channel = null;
                    }
                }
            }
            finally
            {
                if (channel is not null)
                {
                    await channel.DisposeAsync();
                }
            }
        }

        if (refused.Count > 0)
        {
            var message = string.Join(Environment.NewLine, refused.Prepend(
                $"{refused.Count} queue(s) on RabbitMQ were declared with other arguments, by an earlier version of the services or by hand. " +
                "RabbitMQ cannot change the arguments of a queue: move its messages out, delete it and start again, " +
                "as README.md, Operations, \"Upgrading the queues\", describes step by step."));
            LogRefused(logger, message);
            throw new InvalidOperationException(message);
        }
    }

    private static string Refusal(string queue, string virtualHost, IReadOnlyDictionary<string, object> arguments, string reply) =>
        $"Queue '{queue}' in virtual host '{virtualHost}' must have {string.Join(", ", arguments.Select(a => $"{a.Key}={Format(a.Value)}"))}; RabbitMQ answered: {reply}";

    private static string Format(object value) => value switch
    {
        string text => $"'{text}'",
        bool flag => flag ? "true" : "false",
        _ => Convert.ToString(value, System.Globalization.CultureInfo.InvariantCulture) ?? string.Empty,
    };

    [LoggerMessage(LogLevel.Warning, "RabbitMQ could not be reached to check the queues' arguments at start ({Reason}); MassTransit declares them when it connects, and logs PRECONDITION_FAILED for a queue declared with other arguments.")]
    private static partial void LogBrokerUnreachable(ILogger logger, string reason);

    [LoggerMessage(LogLevel.Critical, "{Message}")]
    private static partial void LogRefused(ILogger logger, string message);
}

public static class DurableQueuesCheckExtensions
{
    /// <summary>Checks the durable queues at start, before the bus.</summary>
    public static IServiceCollection AddDurableQueuesCheck(this IServiceCollection services) =>
        services.AddBeforeBusStart<DurableQueuesCheck>();
}
