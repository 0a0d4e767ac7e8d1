namespace TwitterBot.Conventions.Accounts;

/// <summary>
/// The <c>TwitterBot</c> configuration section: the original component's <c>chatbots.twitter-bot.*</c>
/// keys, mapped 1:1 (see README, "Configuration").
/// </summary>
public sealed class TwitterBotOptions
{
    public const string Section = "TwitterBot";

    public TwitterAuthOptions Auth { get; set; } = new();

    public TwitterApiOptions Api { get; set; } = new();

    public IList<BotOptions> Bots { get; init; } = [];

    public WebhooksMessagingOptions WebhooksMessaging { get; set; } = new();
}

public sealed class TwitterAuthOptions
{
    public string? ConsumerKey { get; set; }

    /// <summary>Signs CRC responses, verifies webhook signatures and signs OAuth 1.0a requests.</summary>
    public string? ConsumerSecret { get; set; }

    public string? BearerToken { get; set; }

    public string? DefaultAccessToken { get; set; }

    public string? DefaultAccessSecret { get; set; }
}

public sealed class TwitterApiOptions
{
    /// <summary>Account Activity environment name (premium); empty means enterprise endpoints.</summary>
    public string? EnvName { get; set; }

    /// <summary>The public URL of the Ingress's <c>/webhooks</c> endpoint.</summary>
    public string? WebhookUrl { get; set; }

    public string? TwitterUrl { get; set; } = "https://api.twitter.com/1.1/";

    /// <summary>X's media upload base, where DM attachments are uploaded.</summary>
    public string? UploadUrl { get; set; } = "https://upload.twitter.com/1.1/";

    /// <summary>
    /// Which X API sends DMs: <c>1.1</c> (<c>direct_messages/events/new.json</c>, quick replies, typing) or
    /// <c>2</c> (<c>/2/dm_conversations/with/:id/messages</c> on the same host; quick replies as a numbered list).
    /// </summary>
    public string Version { get; set; } = V1;

    public const string V1 = "1.1";
    public const string V2 = "2";
}

/// <summary>One X account acting as a bot, mapped to one chatbot platform project.</summary>
public sealed class BotOptions
{
    /// <summary>The account's numeric X user id.</summary>
    public string? UserId { get; set; }

    /// <summary>The chatbot platform project id (the gateway's <c>uuid</c>).</summary>
    public string? BotId { get; set; }

    public string? AccessToken { get; set; }

    public string? AccessSecret { get; set; }
}

public sealed class WebhooksMessagingOptions
{
    /// <summary>Timeout of one gateway call.</summary>
    public TimeSpan MessageTimeout { get; set; } = TimeSpan.FromSeconds(15);
}
