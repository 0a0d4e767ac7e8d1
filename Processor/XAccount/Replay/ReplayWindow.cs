namespace TwitterBot.Processor.XAccount.Replay;

/// <summary>
/// How far back the flavour's Replay reaches, checked before X is asked (X answers a bad window with a bare 400).
/// Enterprise and AAA v2 replay through the Account Activity replay job (docs.x.com
/// <c>x-api/account-activity/create-replay-job</c>: "up to the past 5 days"); the X Activity API through the
/// webhook replay (<c>x-api/webhooks/create-replay-job-for-webhook</c>: the past 24 hours); premium has no Replay.
/// </summary>
public sealed record ReplayWindow(string Api, TimeSpan MaxAge, TimeSpan MinAge)
{
    /// <summary>Enterprise (v1.1) and AAA v2: the Account Activity replay job.</summary>
    public static readonly ReplayWindow AccountActivity = new("the Account Activity replay job", TimeSpan.FromDays(5), TimeSpan.FromMinutes(30));

    /// <summary>The X Activity API: <c>POST /2/webhooks/replay</c>.</summary>
    public static readonly ReplayWindow Webhook = new("the webhook replay (POST /2/webhooks/replay)", TimeSpan.FromHours(24), TimeSpan.Zero);

    /// <summary>Why premium cannot replay at all, before anything is asked of X.</summary>
    public const string PremiumRefusal =
        "Replay is an enterprise (TwitterBot:Api:EnvName empty), v2 (TwitterBot:Api:Version 2) or X Activity API feature; premium environments cannot replay. " +
        "Recover missed DMs from X's DM history instead: `replay --recover-from <time>`.";

    /// <returns>The flavour's window, or null when it has no Replay (premium).</returns>
    public static ReplayWindow? For(AccountActivityFlavor flavor) => flavor switch
    {
        AccountActivityFlavor.Premium => null,
        AccountActivityFlavor.ActivityApi => Webhook,
        _ => AccountActivity,
    };

    /// <returns>Why the flavour cannot replay [from, to), or null when it can.</returns>
    public static string? Problem(AccountActivityFlavor flavor, DateTimeOffset from, DateTimeOffset to, DateTimeOffset now) =>
        For(flavor) is { } window ? window.Problem(from, to, now) : PremiumRefusal;

    /// <returns>Why the window cannot be replayed, or null when it can.</returns>
    public string? Problem(DateTimeOffset from, DateTimeOffset to, DateTimeOffset now) => (from, to) switch
    {
        _ when from >= to => $"--from ({from:u}) must be before --to ({to:u}).",
        _ when from < now - MaxAge =>
            $"--from ({from:u}) is more than {Describe(MaxAge)} ago; {Api} replays only the last {Describe(MaxAge)} (from {now - MaxAge:u}). " +
            "For an older gap, recover from X's DM history: `replay --recover-from <time>`.",
        _ when MinAge > TimeSpan.Zero && to > now - MinAge =>
            $"--to ({to:u}) is newer than {Describe(MinAge)} ago; {Api} replays only events older than that (until {now - MinAge:u}). Wait, or end the window earlier.",
        _ when to > now => $"--to ({to:u}) is in the future (now is {now:u}).",
        _ => null,
    };

    private static string Describe(TimeSpan span) => span switch
    {
        { TotalDays: >= 2 } => $"{span.TotalDays:0} days",
        { TotalHours: >= 2 } => $"{span.TotalHours:0} hours",
        _ => $"{span.TotalMinutes:0} minutes",
    };
}
