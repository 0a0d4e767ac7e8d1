namespace TwitterBot.Conventions.Accounts;

/// <summary>The <c>TwitterBot:Api</c> section: where X is and which of its APIs sends DMs.</summary>
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

    /// <summary>
    /// How X is told which events to deliver: <c>AccountActivity</c> (the Account Activity API's subscriptions, in the
    /// flavour <see cref="EnvName"/> and <see cref="Version"/> select) or <c>ActivityApi</c> (the X Activity API's
    /// <c>/2/activity/subscriptions</c>, for apps opened since 2026; needs <see cref="Version"/> <c>2</c>).
    /// </summary>
    public string Subscriptions { get; set; } = AccountActivity;

    public const string V1 = "1.1";
    public const string V2 = "2";

    public const string AccountActivity = "AccountActivity";
    public const string ActivityApi = "ActivityApi";
}
