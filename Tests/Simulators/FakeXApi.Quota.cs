using System.Globalization;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;

namespace TwitterBot.Simulators;

/// <summary>
/// X's money and quota on DM sends: a window per user token (<c>x-rate-limit-*</c>) and one for the app
/// (<c>x-app-limit-24hour-*</c>; the fake's period is whatever the spec sets), reported on every answer as X
/// does, 429 once a window is spent; and the app out of credits (402) or past its usage cap (429
/// <c>UsageCapExceeded</c>, while the windows still show quota). X blocks every request of an app out of money, reads
/// too: <c>GET /2/users/me</c>, the Processor's probe, is answered the same way (and costs no paid send here).
/// </summary>
public sealed partial class FakeXApi
{
    private readonly Lock _quota = new();

    /// <summary>Each user token's window on DM sends, when set.</summary>
    public FakeQuotaWindow? UserWindow { get; set; }

    /// <summary>The app's window on DM sends (all tokens together), when set.</summary>
    public FakeQuotaWindow? AppWindow { get; set; }

    /// <summary>While true, every DM send is answered 402 (the app is out of credits).</summary>
    public bool OutOfCredits { get; set; }

    /// <summary>While true, every DM send is answered 429 <c>UsageCapExceeded</c> (the account's spending cap).</summary>
    public bool UsageCapped { get; set; }

    /// <summary>
    /// When set, how many more sends the app can pay for: once it reaches 0, sends are refused for money (402, or
    /// the usage cap when <see cref="CapsInsteadOf402"/>) until a spec sets it back to null (a top-up).
    /// </summary>
    public int? PaidSendsLeft { get; set; }

    /// <summary>Whether running out of <see cref="PaidSendsLeft"/> is the usage cap (429) rather than 402.</summary>
    public bool CapsInsteadOf402 { get; set; }

    /// <summary>Send attempts refused by the windows (429) or for money (402, usage cap), by reason.</summary>
    public System.Collections.Concurrent.ConcurrentQueue<string> QuotaRefusals { get; } = new();

    /// <summary>Told each refusal's reason and how many refusals there have been, before it is answered (a spec tops up meanwhile).</summary>
    public Action<string, int> QuotaRefused { get; set; } = (_, _) => { };

    /// <summary>Every authenticated <c>GET /2/users/me</c>, by its answer: <c>ok</c>, <c>out_of_credits</c>, <c>usage_capped</c>.</summary>
    public System.Collections.Concurrent.ConcurrentQueue<string> Probes { get; } = new();

    /// <summary>Told each probe's answer and how many probes there have been, before it is answered.</summary>
    public Action<string, int> Probed { get; set; } = (_, _) => { };

    private void MapQuota(WebApplication app) =>
        app.MapGet("/2/users/me", (HttpRequest request) =>
        {
            if (Authenticate(request, []) is not { } token)
            {
                return Results.Json(new { title = "Unauthorized", type = "about:blank", status = 401, detail = "Unauthorized" }, statusCode: StatusCodes.Status401Unauthorized);
            }

            var refusal = MoneyRefusal();
            var outcome = refusal switch
            {
                null => "ok",
                { StatusCode: StatusCodes.Status402PaymentRequired } => "out_of_credits",
                _ => "usage_capped",
            };
            Probes.Enqueue(outcome);
            Probed(outcome, Probes.Count);
            var user = UserIds.GetValueOrDefault(token, App.Bot.UserId);
            return refusal is { } refused ? refused.Result : Results.Json(new { data = new { id = user, name = $"User {user}", username = $"user{user}" } });
        });

    /// <summary>X's answer to any request of an app out of credits or past its cap, or null while it may be served.</summary>
    private (int StatusCode, IResult Result)? MoneyRefusal()
    {
        if (OutOfCredits || (PaidSendsLeft <= 0 && !CapsInsteadOf402))
        {
            return (StatusCodes.Status402PaymentRequired, Results.Json(
                new { title = "CreditsDepleted", detail = "Your enrolled account does not have any credits to fulfill this request.", type = "https://api.twitter.com/2/problems/credits", status = 402 },
                statusCode: StatusCodes.Status402PaymentRequired));
        }

        return UsageCapped || (PaidSendsLeft <= 0 && CapsInsteadOf402)
            ? (StatusCodes.Status429TooManyRequests, Results.Json(
                new { title = "UsageCapExceeded", detail = "Usage cap exceeded: Monthly product cap", type = "https://api.twitter.com/2/problems/usage-capped", period = "Monthly", scope = "Product" },
                statusCode: StatusCodes.Status429TooManyRequests))
            : null;
    }

    private IResult? Refuse(string reason, IResult answer)
    {
        QuotaRefusals.Enqueue(reason);
        QuotaRefused(reason, QuotaRefusals.Count);
        return answer;
    }

    /// <summary>The money and quota answer to a send attempt, or null when it may go on (its windows' headers are set).</summary>
    private IResult? Quota(HttpContext context, SentDirectMessage dm)
    {
        var v2 = context.Request.Path.StartsWithSegments("/2", StringComparison.Ordinal);
        if (MoneyRefusal() is { StatusCode: StatusCodes.Status402PaymentRequired } credits)
        {
            return Refuse("out_of_credits", credits.Result);
        }

        var token = dm.SenderToken;
        var now = Clock.GetUtcNow();
        lock (_quota)
        {
            var user = UserWindow?.Peek(token, now);
            var app = AppWindow?.Peek("app", now);
            Report(context, "x-rate-limit-", user);
            Report(context, "x-app-limit-24hour-", app);
            if (MoneyRefusal() is { } capped)
            {
                return Refuse("usage_capped", capped.Result);
            }

            if (user is { Remaining: 0 } || app is { Remaining: 0 })
            {
                return Refuse("window_spent", v2
                    ? Results.Json(new { title = "Too Many Requests", detail = "Too Many Requests", type = "about:blank", status = 429 }, statusCode: StatusCodes.Status429TooManyRequests)
                    : Results.Json(new { errors = new[] { new { code = 88, message = "Rate limit exceeded" } } }, statusCode: StatusCodes.Status429TooManyRequests));
            }

            // Taken: the answer reports what is left after this call.
            PaidSendsLeft--;
            Report(context, "x-rate-limit-", UserWindow?.Take(token, now));
            Report(context, "x-app-limit-24hour-", AppWindow?.Take("app", now));
            return null;
        }
    }

    private static void Report(HttpContext context, string prefix, FakeQuotaWindow.State? state)
    {
        if (state is { } window)
        {
            context.Response.Headers[prefix + "limit"] = window.Limit.ToString(CultureInfo.InvariantCulture);
            context.Response.Headers[prefix + "remaining"] = window.Remaining.ToString(CultureInfo.InvariantCulture);
            context.Response.Headers[prefix + "reset"] = window.ResetsAt.ToUnixTimeSeconds().ToString(CultureInfo.InvariantCulture);
        }
    }
}

/// <summary>
/// A fixed window of <paramref name="limit"/> calls per <paramref name="period"/> per key, starting at the first call
/// and resetting at a whole second (X's resets are epoch seconds). Not thread-safe: <see cref="FakeXApi"/> locks.
/// </summary>
public sealed class FakeQuotaWindow(int limit, TimeSpan period)
{
    private readonly Dictionary<string, (DateTimeOffset ResetsAt, int Used)> _windows = new(StringComparer.Ordinal);

    public int Limit => limit;

    public TimeSpan Period => period;

    public readonly record struct State(int Limit, int Remaining, DateTimeOffset ResetsAt);

    public State Peek(string key, DateTimeOffset now)
    {
        var (resetsAt, used) = Current(key, now);
        return new State(limit, limit - used, resetsAt);
    }

    public State Take(string key, DateTimeOffset now)
    {
        var (resetsAt, used) = Current(key, now);
        _windows[key] = (resetsAt, used + 1);
        return new State(limit, limit - used - 1, resetsAt);
    }

    private (DateTimeOffset ResetsAt, int Used) Current(string key, DateTimeOffset now)
    {
        if (_windows.TryGetValue(key, out var window) && window.ResetsAt > now)
        {
            return window;
        }

        // X's reset second: the window ends when that second begins.
        var resetsAt = DateTimeOffset.FromUnixTimeSeconds((now + period).ToUnixTimeSeconds());
        _windows[key] = (resetsAt, 0);
        return (resetsAt, 0);
    }
}
