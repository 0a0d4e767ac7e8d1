using Npgsql;
using TwitterBot.Processor.Clients.X;

namespace TwitterBot.Processor.Conversations;

/// <summary>
/// The per-bot throttles on PostgreSQL (<c>rate_limits</c>, <c>revoked_bots</c>, <c>bot_tokens_seen</c>,
/// <c>bot_tokens_unauthorized</c>, <c>app_suspension</c>, <c>bot_quota</c>), shared by every Processor replica.
/// The app's suspension is one row (key <c>app</c>: a deployment speaks for one X app); its times are the
/// Processor's (<see cref="TimeProvider"/>), not the database's.
/// </summary>
public sealed class PostgresBotThrottles(NpgsqlDataSource database, TimeProvider? time = null) : IBotThrottles
{
    private readonly TimeProvider _time = time ?? TimeProvider.System;

    public async Task<DateTimeOffset?> GetRateLimitResetAsync(string botUserId, CancellationToken cancellationToken)
    {
        await using var command = database.CreateCommand("SELECT resets_at FROM rate_limits WHERE bot_user_id = $1 AND resets_at > $2");
        command.Parameters.Add(new NpgsqlParameter { Value = botUserId });
        command.Parameters.Add(new NpgsqlParameter { Value = _time.GetUtcNow().UtcDateTime });
        return await command.ExecuteScalarAsync(cancellationToken) is DateTime resetsAt
            ? new DateTimeOffset(resetsAt, TimeSpan.Zero)
            : null;
    }

    public Task SetRateLimitResetAsync(string botUserId, DateTimeOffset resetsAt, CancellationToken cancellationToken) =>
        ExecuteAsync(
            """
            INSERT INTO rate_limits (bot_user_id, resets_at) VALUES ($1, $2)
            ON CONFLICT (bot_user_id) DO UPDATE SET resets_at = GREATEST(rate_limits.resets_at, excluded.resets_at)
            """,
            cancellationToken, botUserId, resetsAt.UtcDateTime);

    public Task MarkRevokedAsync(string botUserId, string tokenFingerprint, DateTimeOffset revokedAt, CancellationToken cancellationToken) =>
        ExecuteAsync(
            """
            INSERT INTO revoked_bots (bot_user_id, token_fingerprint, revoked_at) VALUES ($1, $2, $3)
            ON CONFLICT (bot_user_id) DO UPDATE SET token_fingerprint = excluded.token_fingerprint, revoked_at = excluded.revoked_at
            """,
            cancellationToken, botUserId, tokenFingerprint, revokedAt.UtcDateTime);

    public async Task<string?> RevokedTokenAsync(string botUserId, CancellationToken cancellationToken)
    {
        await using var command = database.CreateCommand("SELECT token_fingerprint FROM revoked_bots WHERE bot_user_id = $1");
        command.Parameters.Add(new NpgsqlParameter { Value = botUserId });
        return await command.ExecuteScalarAsync(cancellationToken) as string;
    }

    public async Task<DateTimeOffset> TokenFirstSeenAsync(string botUserId, string tokenFingerprint, DateTimeOffset now, CancellationToken cancellationToken)
    {
        // DO UPDATE (to itself) so that the row is returned whether it was inserted now or long ago.
        await using var command = database.CreateCommand(
            """
            INSERT INTO bot_tokens_seen (bot_user_id, token_fingerprint, first_seen_at)
            SELECT $1, $2, CASE WHEN EXISTS (SELECT 1 FROM bot_tokens_seen WHERE bot_user_id = $1) THEN $3 ELSE $4 END
            ON CONFLICT (bot_user_id, token_fingerprint) DO UPDATE SET first_seen_at = bot_tokens_seen.first_seen_at
            RETURNING first_seen_at
            """);
        command.Parameters.Add(new NpgsqlParameter { Value = botUserId });
        command.Parameters.Add(new NpgsqlParameter { Value = tokenFingerprint });
        command.Parameters.Add(new NpgsqlParameter { Value = now.UtcDateTime });
        command.Parameters.Add(new NpgsqlParameter { Value = IBotThrottles.SeenSinceAlways.UtcDateTime });
        return new DateTimeOffset((DateTime)(await command.ExecuteScalarAsync(cancellationToken))!, TimeSpan.Zero);
    }

    public async Task<DateTimeOffset> UnauthorizedSinceAsync(string botUserId, string tokenFingerprint, DateTimeOffset now, CancellationToken cancellationToken)
    {
        // DO UPDATE (to itself) so that the row is returned whether it was inserted now or by an earlier 401.
        await using var command = database.CreateCommand(
            """
            INSERT INTO bot_tokens_unauthorized (bot_user_id, token_fingerprint, since) VALUES ($1, $2, $3)
            ON CONFLICT (bot_user_id, token_fingerprint) DO UPDATE SET since = bot_tokens_unauthorized.since
            RETURNING since
            """);
        command.Parameters.Add(new NpgsqlParameter { Value = botUserId });
        command.Parameters.Add(new NpgsqlParameter { Value = tokenFingerprint });
        command.Parameters.Add(new NpgsqlParameter { Value = now.UtcDateTime });
        return new DateTimeOffset((DateTime)(await command.ExecuteScalarAsync(cancellationToken))!, TimeSpan.Zero);
    }

    public Task ClearUnauthorizedAsync(string botUserId, CancellationToken cancellationToken) =>
        ExecuteAsync("DELETE FROM bot_tokens_unauthorized WHERE bot_user_id = $1", cancellationToken, botUserId);

    public async Task<AppSuspension?> SuspensionAsync(CancellationToken cancellationToken)
    {
        await using var command = database.CreateCommand("SELECT reason, since, next_probe_at FROM app_suspension WHERE app = 'app'");
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        return await reader.ReadAsync(cancellationToken)
            ? new AppSuspension(reader.GetString(0), Utc(reader.GetDateTime(1)), Utc(reader.GetDateTime(2)))
            : null;
    }

    public async Task<bool> SuspendAsync(string reason, DateTimeOffset since, DateTimeOffset firstProbeAt, CancellationToken cancellationToken)
    {
        await using var command = database.CreateCommand(
            "INSERT INTO app_suspension (app, reason, since, next_probe_at) VALUES ('app', $1, $2, $3) ON CONFLICT (app) DO NOTHING");
        command.Parameters.Add(new NpgsqlParameter { Value = reason });
        command.Parameters.Add(new NpgsqlParameter { Value = since.UtcDateTime });
        command.Parameters.Add(new NpgsqlParameter { Value = firstProbeAt.UtcDateTime });
        return await command.ExecuteNonQueryAsync(cancellationToken) == 1;
    }

    public async Task<bool> ClaimProbeAsync(DateTimeOffset now, DateTimeOffset nextProbeAt, CancellationToken cancellationToken)
    {
        await using var command = database.CreateCommand("UPDATE app_suspension SET next_probe_at = $2 WHERE app = 'app' AND next_probe_at <= $1");
        command.Parameters.Add(new NpgsqlParameter { Value = now.UtcDateTime });
        command.Parameters.Add(new NpgsqlParameter { Value = nextProbeAt.UtcDateTime });
        return await command.ExecuteNonQueryAsync(cancellationToken) == 1;
    }

    public async Task<bool> ResumeAsync(CancellationToken cancellationToken)
    {
        await using var command = database.CreateCommand("DELETE FROM app_suspension WHERE app = 'app'");
        return await command.ExecuteNonQueryAsync(cancellationToken) == 1;
    }

    public async Task RecordQuotaAsync(string botUserId, IReadOnlyList<XQuotaWindow> windows, DateTimeOffset observedAt, CancellationToken cancellationToken)
    {
        foreach (var window in windows)
        {
            await ExecuteAsync(
                """
                INSERT INTO bot_quota (bot_user_id, window_name, quota_limit, remaining, resets_at, observed_at) VALUES ($1, $2, $3, $4, $5, $6)
                ON CONFLICT (bot_user_id, window_name) DO UPDATE SET quota_limit = excluded.quota_limit, remaining = excluded.remaining,
                    resets_at = excluded.resets_at, observed_at = excluded.observed_at
                WHERE bot_quota.observed_at <= excluded.observed_at
                """,
                cancellationToken, botUserId, window.Name, window.Limit, window.Remaining, window.ResetsAt.UtcDateTime, observedAt.UtcDateTime);
        }
    }

    public async Task<IReadOnlyList<KnownQuota>> KnownQuotaAsync(CancellationToken cancellationToken)
    {
        await using var command = database.CreateCommand(
            "SELECT bot_user_id, window_name, quota_limit, remaining, resets_at, observed_at FROM bot_quota ORDER BY bot_user_id, window_name");
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        var known = new List<KnownQuota>();
        while (await reader.ReadAsync(cancellationToken))
        {
            known.Add(new KnownQuota(reader.GetString(0), reader.GetString(1), reader.GetInt64(2), reader.GetInt64(3), Utc(reader.GetDateTime(4)), Utc(reader.GetDateTime(5))));
        }

        return known;
    }

    private static DateTimeOffset Utc(DateTime value) => new(DateTime.SpecifyKind(value, DateTimeKind.Utc));

    private async Task ExecuteAsync(string sql, CancellationToken cancellationToken, params object[] parameters)
    {
        await using var command = database.CreateCommand(sql);
        foreach (var parameter in parameters)
        {
            command.Parameters.Add(new NpgsqlParameter { Value = parameter });
        }

        await command.ExecuteNonQueryAsync(cancellationToken);
    }
}
