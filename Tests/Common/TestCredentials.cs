namespace TwitterBot.Tests.Common;

/// <summary>
/// The one X app and the accounts every spec, fake, webhook sender and benchmark uses: the services are
/// configured with these, and the simulators accept only these. Made up, never real credentials.
/// </summary>
public static class TestCredentials
{
    public const string ConsumerKey = "test-consumer-key";
    public const string ConsumerSecret = "test-consumer-secret";
    public const string BearerToken = "app-bearer-token";
    public const string EnvName = "production";

    /// <summary>The bot: the recipient in X's samples.</summary>
    public const string BotUserId = "4337869213";
    public const string BotId = "bot-project-1";
    public const string BotAccessToken = "4337869213-bot-access-token";
    public const string BotAccessSecret = "bot-access-secret";

    /// <summary>A second bot account, for specs about several bots.</summary>
    public const string SecondBotUserId = "5550001111";
    public const string SecondBotAccessToken = "5550001111-second-bot-token";
    public const string SecondBotAccessSecret = "second-bot-secret";

    /// <summary>The app owner's user context, which manages v1.1 webhooks.</summary>
    public const string OwnerUserId = "1000000001";
    public const string OwnerAccessToken = "1000000001-owner-token";
    public const string OwnerAccessSecret = "owner-secret";

    /// <summary>The services' configuration of the app and the first bot, in .NET keys.</summary>
    public static Dictionary<string, string?> BotSettings() => new(StringComparer.Ordinal)
    {
        ["TwitterBot:Auth:ConsumerKey"] = ConsumerKey,
        ["TwitterBot:Auth:ConsumerSecret"] = ConsumerSecret,
        ["TwitterBot:Bots:0:UserId"] = BotUserId,
        ["TwitterBot:Bots:0:BotId"] = BotId,
        ["TwitterBot:Bots:0:AccessToken"] = BotAccessToken,
        ["TwitterBot:Bots:0:AccessSecret"] = BotAccessSecret,
    };
}
