using TwitterBot.Contracts;

namespace TwitterBot.Tests.Support;

/// <summary>
/// The configuration every spec starts from, with <see cref="TestCredentials"/>'s credentials (the one source
/// the specs, the fakes, the webhook sender and the benchmarks read them from).
/// </summary>
public static class TestSettings
{
    /// <summary>Fewer conversation partitions than the default, so that specs declare fewer queues.</summary>
    public const int ConversationPartitions = 4;

    public static IEnumerable<string> PartitionQueues => Conventions.Queues.DurableQueues.ConversationPartitions(ConversationPartitions);

    /// <summary>Points the Processor's gateway and X API (and media upload) at the fakes.</summary>
    public static Dictionary<string, string?> UsingFakes(this Dictionary<string, string?> settings, FakeGateway gateway, FakeXApi x)
    {
        settings["Gateway:Url"] = gateway.BaseAddress.ToString();
        settings["TwitterBot:Api:TwitterUrl"] = x.ApiBaseAddress.ToString();
        settings["TwitterBot:Api:UploadUrl"] = x.ApiBaseAddress.ToString();
        return settings;
    }

    /// <summary>The configuration both services share, in .NET keys.</summary>
    public static Dictionary<string, string?> Common(RabbitMqVirtualHost? broker = null, PostgresDatabase? store = null)
    {
        var settings = TestCredentials.BotSettings();
        settings["Messaging:Rabbit:Hosts:0"] = RabbitMqVirtualHost.AmqpNode;
        settings["Messaging:Rabbit:Username"] = RabbitMqVirtualHost.Username;
        settings["Messaging:Rabbit:Password"] = RabbitMqVirtualHost.Password;
        settings["Messaging:Rabbit:VirtualHost"] = broker?.Name ?? "/";
        settings["Messaging:Rabbit:ConversationPartitions"] = ConversationPartitions.ToString(System.Globalization.CultureInfo.InvariantCulture);
        settings["Processor:Store:ConnectionString"] = store?.ConnectionString ?? PostgresDatabase.ServerConnectionString;
        settings["Processor:Replies:TypingIndicator"] = "false";
        // The fixtures' DMs were written in 2024: specs about Processor:Replies:MaxAge set their own.
        settings["Processor:Replies:MaxAge"] = "3650.00:00:00";
        return settings;
    }

    /// <summary>A DM from Jane to the bot, as the Ingress publishes it.</summary>
    public static DirectMessageReceived DirectMessage(string eventId, string text, string senderId, DateTimeOffset createdAt) => new()
    {
        EventId = eventId,
        BotUserId = TestCredentials.BotUserId,
        BotId = TestCredentials.BotId,
        SenderId = senderId,
        SenderName = "Jane",
        SenderScreenName = "jane",
        Text = text,
        CreatedAt = createdAt,
    };
}
