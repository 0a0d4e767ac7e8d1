using TwitterBot.Contracts;

namespace TwitterBot.Tests.Support;

/// <summary>The X app and bot account every spec configures (the bot is the recipient in the X samples).</summary>
public static class TestSettings
{
    public const string ConsumerKey = TestCredentials.ConsumerKey;
    public const string ConsumerSecret = TestCredentials.ConsumerSecret;
    public const string BotUserId = TestCredentials.BotUserId;
    public const string BotId = "bot-project-1";
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

    public static IEnumerable<string> PartitionQueues => ServiceDefaults.DurableQueues.ConversationPartitions(ConversationPartitions);

    /// <summary>Points the Processor's gateway and X API (and media upload) at the fakes.</summary>
    public static Dictionary<string, string?> UsingFakes(this Dictionary<string, string?> settings, FakeGateway gateway, FakeXApi x)
    {
        settings["Gateway:Url"] = gateway.BaseAddress.ToString();
        settings["TwitterBot:Api:TwitterUrl"] = x.ApiBaseAddress.ToString();
        settings["TwitterBot:Api:UploadUrl"] = x.ApiBaseAddress.ToString();
        return settings;
    }

    /// <summary>The configuration both services share, in .NET keys.</summary>
    public static Dictionary<string, string?> Common(RabbitMqVirtualHost? broker = null, PostgresDatabase? store = null) => new()
    {
        ["TwitterBot:Auth:ConsumerKey"] = ConsumerKey,
        ["TwitterBot:Auth:ConsumerSecret"] = ConsumerSecret,
        ["TwitterBot:Bots:0:UserId"] = BotUserId,
        ["TwitterBot:Bots:0:BotId"] = BotId,
        ["TwitterBot:Bots:0:AccessToken"] = BotAccessToken,
        ["TwitterBot:Bots:0:AccessSecret"] = BotAccessSecret,
        ["Messaging:Rabbit:Hosts:0"] = RabbitMqVirtualHost.AmqpNode,
        ["Messaging:Rabbit:Username"] = RabbitMqVirtualHost.Username,
        ["Messaging:Rabbit:Password"] = RabbitMqVirtualHost.Password,
        ["Messaging:Rabbit:VirtualHost"] = broker?.Name ?? "/",
        ["Messaging:Rabbit:ConversationPartitions"] = ConversationPartitions.ToString(System.Globalization.CultureInfo.InvariantCulture),
        ["Processor:Store:ConnectionString"] = store?.ConnectionString ?? PostgresDatabase.ServerConnectionString,
        ["Processor:Replies:TypingIndicator"] = "false",
    };

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
