namespace TwitterBot.Conventions.Accounts;

/// <summary>One entry of the <c>TwitterBot:Bots</c> list: an X account acting as a bot, mapped to one chatbot platform project.</summary>
public sealed class BotOptions
{
    /// <summary>The account's numeric X user id.</summary>
    public string? UserId { get; set; }

    /// <summary>The chatbot platform project id (the gateway's <c>uuid</c>).</summary>
    public string? BotId { get; set; }

    public string? AccessToken { get; set; }

    public string? AccessSecret { get; set; }
}
