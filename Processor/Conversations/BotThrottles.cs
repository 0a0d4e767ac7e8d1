using TwitterBot.Processor.Clients.X;

namespace TwitterBot.Processor.Conversations;

/// <summary>
/// What holds a bot account back, shared by every replica: until when X rate-limits it, which of its tokens was
/// revoked, when each token was first seen, and since when X refuses one with 401. Read through
/// <see cref="RateLimits"/> and <see cref="BotAccess"/>, which keep what they read for a second.
/// </summary>
public interface IBotThrottles
{
    /// <summary>
    /// What <see cref="TokenFirstSeenAsync"/> gives the first token recorded for a bot: there were no other
    /// tokens, so no revoke is known to be older than it (one queued while a first deployment was starting is
    /// not dropped).
    /// </summary>
    public static readonly DateTimeOffset SeenSinceAlways = DateTimeOffset.MinValue;

    /// <summary>When X's rate limit for the bot account resets, if it is limited.</summary>
    Task<DateTimeOffset?> GetRateLimitResetAsync(string botUserId, CancellationToken cancellationToken);

    /// <summary>Records the reset, unless a later one is already recorded.</summary>
    Task SetRateLimitResetAsync(string botUserId, DateTimeOffset resetsAt, CancellationToken cancellationToken);

    /// <summary>Records that the bot account's token with this fingerprint was revoked.</summary>
    Task MarkRevokedAsync(string botUserId, string tokenFingerprint, DateTimeOffset revokedAt, CancellationToken cancellationToken);

    /// <summary>The fingerprint of the bot account's revoked token, if one was revoked.</summary>
    Task<string?> RevokedTokenAsync(string botUserId, CancellationToken cancellationToken);

    /// <summary>
    /// When this deployment first saw the bot account's token with this fingerprint (recorded as
    /// <paramref name="now"/> the first time, or <see cref="SeenSinceAlways"/> for the bot's first token): a revoke
    /// from before then is about other tokens.
    /// </summary>
    Task<DateTimeOffset> TokenFirstSeenAsync(string botUserId, string tokenFingerprint, DateTimeOffset now, CancellationToken cancellationToken);

    /// <summary>
    /// Since when X has refused the bot account's token with this fingerprint with 401 (recorded as
    /// <paramref name="now"/> the first time), with no send accepted since.
    /// </summary>
    Task<DateTimeOffset> UnauthorizedSinceAsync(string botUserId, string tokenFingerprint, DateTimeOffset now, CancellationToken cancellationToken);

    /// <summary>X accepted a send of the bot account: its 401s, if any, are over.</summary>
    Task ClearUnauthorizedAsync(string botUserId, CancellationToken cancellationToken);

    /// <summary>Since when, and why, X refuses every send of this deployment's app for money (402, usage cap), if it does.</summary>
    Task<AppSuspension?> SuspensionAsync(CancellationToken cancellationToken);

    /// <summary>
    /// Records that X refused the app for money; true only for the call that started the suspension (so that one
    /// replica, once, tells the operator). <paramref name="firstProbeAt"/> is when a send may first try X again.
    /// </summary>
    Task<bool> SuspendAsync(string reason, DateTimeOffset since, DateTimeOffset firstProbeAt, CancellationToken cancellationToken);

    /// <summary>
    /// Takes the next probe of a suspended app: true for exactly one caller once the next probe is due (at
    /// <paramref name="now"/>), which then asks X without a message (<see cref="Quota.XAppProbe"/>), and moves the next probe to <paramref name="nextProbeAt"/>.
    /// </summary>
    Task<bool> ClaimProbeAsync(DateTimeOffset now, DateTimeOffset nextProbeAt, CancellationToken cancellationToken);

    /// <summary>X accepted a send of the app: the suspension, if any, is over. True for the call that ended it.</summary>
    Task<bool> ResumeAsync(CancellationToken cancellationToken);

    /// <summary>Records the windows X last reported for the bot (for <c>doctor</c>).</summary>
    Task RecordQuotaAsync(string botUserId, IReadOnlyList<XQuotaWindow> windows, DateTimeOffset observedAt, CancellationToken cancellationToken);

    /// <summary>The windows X last reported for each bot, and when.</summary>
    Task<IReadOnlyList<KnownQuota>> KnownQuotaAsync(CancellationToken cancellationToken);
}

/// <summary>The app's suspension: X refused it for money at <see cref="Since"/>; the next probe is due at <see cref="NextProbeAt"/>.</summary>
public sealed record AppSuspension(string Reason, DateTimeOffset Since, DateTimeOffset NextProbeAt);

/// <summary>One window X reported for a bot, as last seen.</summary>
public sealed record KnownQuota(string BotUserId, string Window, long Limit, long Remaining, DateTimeOffset ResetsAt, DateTimeOffset ObservedAt);
