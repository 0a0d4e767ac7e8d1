namespace TwitterBot.Conventions.Accounts;

/// <summary>The <c>TwitterBot:Auth</c> section: the X app's credentials (validated with <see cref="TwitterBotOptionsRules"/>).</summary>
public sealed class TwitterAuthOptions
{
    public string? ConsumerKey { get; set; }

    /// <summary>Signs CRC responses, verifies webhook signatures and signs OAuth 1.0a requests.</summary>
    public string? ConsumerSecret { get; set; }

    public string? BearerToken { get; set; }

    public string? DefaultAccessToken { get; set; }

    public string? DefaultAccessSecret { get; set; }
}
