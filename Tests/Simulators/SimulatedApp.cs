namespace TwitterBot.Simulators;

/// <summary>
/// The X app and accounts a simulator knows: whose OAuth 1.0a signatures and bearer token it accepts, and
/// the secret it signs webhook deliveries and checks CRC answers with.
/// </summary>
public sealed record SimulatedApp(
    string ConsumerKey,
    string ConsumerSecret,
    string BearerToken,
    string EnvName,
    IReadOnlyList<SimulatedAccount> Accounts)
{
    /// <summary>The credentials the specs configure the services with.</summary>
    public static SimulatedApp Test { get; } = new(
        TestCredentials.ConsumerKey,
        TestCredentials.ConsumerSecret,
        TestCredentials.BearerToken,
        TestCredentials.EnvName,
        [
            new(TestCredentials.BotUserId, TestCredentials.BotAccessToken, TestCredentials.BotAccessSecret),
            new(TestCredentials.SecondBotUserId, TestCredentials.SecondBotAccessToken, TestCredentials.SecondBotAccessSecret),
            new(TestCredentials.OwnerUserId, TestCredentials.OwnerAccessToken, TestCredentials.OwnerAccessSecret),
        ]);

    /// <summary>The first account: the bot whose DMs the simulator's users write to.</summary>
    public SimulatedAccount Bot => Accounts[0];
}

/// <summary>An X account with the user-context tokens it authorized the app with.</summary>
public sealed record SimulatedAccount(string UserId, string AccessToken, string AccessSecret);

public static class TestCredentials
{
    public const string ConsumerKey = "test-consumer-key";
    public const string ConsumerSecret = "test-consumer-secret";
    public const string BotUserId = "4337869213";
    public const string BotAccessToken = "4337869213-bot-access-token";
    public const string BotAccessSecret = "bot-access-secret";
    public const string SecondBotUserId = "5550001111";
    public const string SecondBotAccessToken = "5550001111-second-bot-token";
    public const string SecondBotAccessSecret = "second-bot-secret";
    public const string OwnerUserId = "1000000001";
    public const string OwnerAccessToken = "1000000001-owner-token";
    public const string OwnerAccessSecret = "owner-secret";
    public const string BearerToken = "app-bearer-token";
    public const string EnvName = "production";
}
