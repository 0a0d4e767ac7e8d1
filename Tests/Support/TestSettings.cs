using TwitterBot.Contracts;

namespace TwitterBot.Tests.Support;

/// <summary>
/// The configuration every spec starts from. The credentials are <see cref="TestCredentials"/>'s (the one
/// source the fakes, the webhook sender and the benchmarks also use), repeated here under the names the
/// specs already read.
/// </summary>
public static class TestSettings
{
    public const string ConsumerKey = TestCredentials.ConsumerKey;
    public const string ConsumerSecret = TestCredentials.ConsumerSecret;
    public const string BotUserId = TestCredentials.BotUserId;
    public const string BotId = TestCredentials.BotId;
    public const string BotAccessToken = TestCredentials.BotAccessToken;
    public const string BotAccessSecret = TestCredentials.BotAccessSecret;

    /// <summary>A second bot account, for specs about several bots.</summary>
    public const string SecondBotUserId = TestCredentials.SecondBotUserId;
    public const string SecondBotAccessToken = TestCredentials.SecondBotAccessToken;
    public const string SecondBotAccessSecret = TestCredentials.SecondBotAccessSecret;

    /// <summary>The app owner's user context, which manages v1.1 webhooks.</summary>
    public const string OwnerUserId = TestCredentials.OwnerUserId;
    public const string OwnerAccessToken = TestCredentials.OwnerAccessToken;
    public const string OwnerAccessSecret = TestCredentials.OwnerAccessSecret;

    public const string BearerToken = TestCredentials.BearerToken;
    public const string EnvName = TestCredentials.EnvName;

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
        return settings;
    }

    /// <summary>A DM from Jane to the bot, as the Ingress publishes it.</summary>
    public static DirectMessageReceived DirectMessage(string eventId, string text, string senderId, DateTimeOffset createdAt) => new()
    {
        EventId = eventId,
        BotUserId = BotUserId,
        BotId = BotId,
        SenderId = senderId,
        SenderName = "Jane",
        SenderScreenName = "jane",
        Text = text,
        CreatedAt = createdAt,
    };
}
