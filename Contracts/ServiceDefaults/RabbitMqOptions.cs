using FluentValidation;

namespace TwitterBot.ServiceDefaults;

/// <summary>The <c>Messaging:Rabbit</c> section (the original's <c>chatbots.messaging.rabbit.*</c>).</summary>
public sealed class RabbitMqOptions
{
    public const string Section = "Messaging:Rabbit";

    /// <summary>Broker nodes as <c>host:port</c>; several nodes form one cluster.</summary>
    public IList<string> Hosts { get; init; } = [];

    public string? Username { get; set; }

    public string? Password { get; set; }

    public string VirtualHost { get; set; } = "/";

    /// <summary>
    /// Queues the conversations are spread over (by a hash of the conversation key). Each is consumed one
    /// message at a time, so this is the Processor's parallelism. Both services must agree; change it only
    /// with the partition queues drained.
    /// </summary>
    public int ConversationPartitions { get; set; } = 16;

    /// <summary>The broker nodes of <see cref="Hosts"/>.</summary>
    public IReadOnlyList<BrokerNode> Nodes() =>
        Hosts.Select(host => BrokerNode.TryParse(host, out var node)
            ? node
            : throw new InvalidOperationException($"{Section}:Hosts holds '{host}', which is not host:port.")).ToList();
}

public sealed class RabbitMqOptionsValidator : AbstractValidator<RabbitMqOptions>
{
    public RabbitMqOptionsValidator()
    {
        RuleFor(o => o.Hosts).NotEmpty().WithMessage("must list at least one broker node as host:port.");
        RuleForEach(o => o.Hosts).Must(host => BrokerNode.TryParse(host, out _)).WithMessage("must be host:port.");
        RuleFor(o => o.Username).Required();
        RuleFor(o => o.Password).Required();
        RuleFor(o => o.VirtualHost).NotEmpty().WithMessage("must not be empty (use / for the default).");
        RuleFor(o => o.ConversationPartitions).InclusiveBetween(1, 100).WithMessage("must be between 1 and 100.");
    }
}

public readonly record struct BrokerNode(string Host, ushort Port)
{
    public const ushort DefaultPort = 5672;

    public static bool TryParse(string? value, out BrokerNode node)
    {
        node = default;
        if (string.IsNullOrWhiteSpace(value))
        {
            return false;
        }

        var colon = value.LastIndexOf(':');
        if (colon < 0)
        {
            node = new BrokerNode(value, DefaultPort);
            return true;
        }

        if (colon == 0 || !ushort.TryParse(value.AsSpan(colon + 1), out var port) || port == 0)
        {
            return false;
        }

        node = new BrokerNode(value[..colon], port);
        return true;
    }

    public override string ToString() => $"{Host}:{Port}";
}
