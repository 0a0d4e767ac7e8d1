using TwitterBot.Tests.Common;

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
