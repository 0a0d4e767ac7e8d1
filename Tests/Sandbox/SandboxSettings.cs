using TwitterBot.Simulators;

namespace TwitterBot.Sandbox;

/// <summary>
/// Where the simulators listen and which credentials they accept: the services' Development configuration,
/// overridable with the same environment variables (<c>TwitterBot__Auth__ConsumerSecret</c>, …).
/// </summary>
/// <param name="ActivityApi">X Activity API mode (<c>build/run.sh</c>, and <c>--xaa</c>; not <c>--legacy</c>): subscriptions and deliveries as the X Activity API's.</param>
/// <param name="XChatBotKeys">XChat mode (<c>build/run.sh</c>'s default; not <c>--xaa</c> or <c>--legacy</c>): the bot's private keys blob, whose public half the simulated X serves.</param>
public sealed record SandboxSettings(SimulatedApp App, string XUrl, string GatewayUrl, Uri WebhookUrl, bool ActivityApi = false, string? XChatBotKeys = null)
{
    /// <summary>The bot's XChat key version (<c>TwitterBot__XChat__Bots__0__KeyVersion</c>).</summary>
    public string XChatKeyVersion { get; init; } = "1";

    public static SandboxSettings FromEnvironment()
    {
        static string Get(string key, string fallback) => Environment.GetEnvironmentVariable(key) is { Length: > 0 } value ? value : fallback;

        var bot = new SimulatedAccount(
            Get("TwitterBot__Bots__0__UserId", "4337869213"),
            Get("TwitterBot__Bots__0__AccessToken", "development-access-token"),
            Get("TwitterBot__Bots__0__AccessSecret", "development-access-secret"));
        var app = new SimulatedApp(
            Get("TwitterBot__Auth__ConsumerKey", "development-consumer-key"),
            Get("TwitterBot__Auth__ConsumerSecret", "development-consumer-secret"),
            Get("TwitterBot__Auth__BearerToken", "development-bearer-token"),
            Get("TwitterBot__Api__EnvName", "sandbox"),
            [bot]);
        return new SandboxSettings(
            app,
            Get("SANDBOX_X_URL", "http://127.0.0.1:5760"),
            Get("SANDBOX_GATEWAY_URL", "http://127.0.0.1:5761"),
            new Uri(Get("TwitterBot__Api__WebhookUrl", "http://127.0.0.1:5756/webhooks")),
            string.Equals(Get("TwitterBot__Api__Subscriptions", ""), "ActivityApi", StringComparison.OrdinalIgnoreCase),
            string.Equals(Get("TwitterBot__XChat__Enabled", ""), "true", StringComparison.OrdinalIgnoreCase) ? Get("TwitterBot__XChat__Bots__0__PrivateKeysSecret", "") is { Length: > 0 } blob ? blob : null : null)
        {
            XChatKeyVersion = Get("TwitterBot__XChat__Bots__0__KeyVersion", "1"),
        };
    }
}
