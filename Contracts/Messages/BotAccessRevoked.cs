namespace TwitterBot.Contracts;

/// <summary>
/// The X account of a configured bot revoked our app's access (X's <c>user_event.revoke</c>): its tokens no
/// longer work until the account authorizes the app again.
/// </summary>
public sealed record BotAccessRevoked
{
    public required string BotUserId { get; init; }

    public required string BotId { get; init; }

    /// <summary>The X app whose access was revoked.</summary>
    public string? AppId { get; init; }

    public required DateTimeOffset RevokedAt { get; init; }
}
