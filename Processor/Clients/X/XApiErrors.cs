using System.Globalization;
using System.Net.Http.Headers;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace TwitterBot.Processor.Clients.X;

/// <summary>How a failed X call must be handled.</summary>
public enum XFailureKind
{
    /// <summary>X will never accept this request (the user does not take DMs, the user is gone, …).</summary>
    Permanent,

    /// <summary>Too many requests: wait until the limit resets.</summary>
    RateLimited,

    /// <summary>X is struggling (5xx, over capacity): try again later.</summary>
    Transient,

    /// <summary>Code 89, invalid or expired token: the bot's token no longer works (as after X's revoke event).</summary>
    Revoked,

    /// <summary>
    /// Any other 401 (32 could not authenticate, 135 timestamp out of bounds, no code): X did not accept the
    /// signature this time, which an operator must fix (keys, clock) but which does not prove the token revoked. Retried.
    /// </summary>
    AuthenticationFailed,

    /// <summary>
    /// The app may not spend any more: 402 (out of credits) or 429 with the <c>UsageCapExceeded</c> problem (past the
    /// account's spending limit or product cap, while <c>x-rate-limit-remaining</c> may still show quota; see
    /// xdevplatform/xdk issue #25). Neither a rate limit (its reset does not help) nor transient (only an operator's
    /// top-up or higher limit ends it): every send of the app stops until a probe gets through.
    /// </summary>
    OutOfCredits,
}

/// <summary>X answered a request with an error status; carries X's own error codes and messages.</summary>
public sealed class XApiException(int statusCode, IReadOnlyList<XApiError> errors, DateTimeOffset? rateLimitResetsAt, string? problemType = null, XQuota? quota = null)
    : Exception($"X answered {statusCode}: {(errors.Count == 0 ? "no error details" : string.Join("; ", errors.Select(e => $"{e.Code} {e.Message}")))}")
{
    /// <summary>X's error codes that mean "never": 349 cannot send messages to this user, 150 not following, 108 no such user, 151 error sending.</summary>
    private static readonly int[] PermanentCodes = [349, 150, 108, 151];

    public int StatusCode { get; } = statusCode;

    public IReadOnlyList<XApiError> Errors { get; } = errors;

    /// <summary>From <c>x-rate-limit-reset</c> (epoch seconds), when X sent it.</summary>
    public DateTimeOffset? RateLimitResetsAt { get; } = rateLimitResetsAt;

    public int? ErrorCode => Errors.Count > 0 ? Errors[0].Code : null;

    /// <summary>The <c>type</c> of v2's problem document, when X sent one.</summary>
    public string? ProblemType { get; } = problemType;

    /// <summary>The windows X's headers reported with this answer.</summary>
    public XQuota Quota { get; } = quota ?? XQuota.None;

    /// <summary>v2's problem type for a usage cap (429, title <c>UsageCapExceeded</c>).</summary>
    public const string UsageCappedType = "https://api.twitter.com/2/problems/usage-capped";

    public XFailureKind Kind => this switch
    {
        { StatusCode: 402 } or { StatusCode: 429, ProblemType: UsageCappedType } => XFailureKind.OutOfCredits,
        { StatusCode: 429 } or { ErrorCode: 88 } => XFailureKind.RateLimited,
        _ when Errors.Any(e => e.Code == 89) => XFailureKind.Revoked,
        { StatusCode: 401 } => XFailureKind.AuthenticationFailed,
        { ErrorCode: 130 or 131 } or { StatusCode: >= 500 } => XFailureKind.Transient,
        _ when Errors.Any(e => PermanentCodes.Contains(e.Code)) => XFailureKind.Permanent,
        { StatusCode: 403 or 404 or 400 } => XFailureKind.Permanent,
        _ => XFailureKind.Transient,
    };

    /// <summary>A 5xx proves nothing about a send: X may have delivered the DM before failing to answer.</summary>
    public bool OutcomeUnknown => StatusCode >= 500;

    /// <summary>Whether the consumer's retry may try again (the turn handles the other kinds itself).</summary>
    public bool IsRetryable => Kind is XFailureKind.Transient or XFailureKind.RateLimited or XFailureKind.AuthenticationFailed or XFailureKind.OutOfCredits;

    /// <summary>X's error answer: v1.1's coded errors or v2's problem document, and its rate-limit reset.</summary>
    public static XApiException FromAnswer(int statusCode, string? body, HttpResponseHeaders headers)
    {
        IReadOnlyList<XApiError> errors = [];
        string? problemType = null;
        try
        {
            var answer = string.IsNullOrWhiteSpace(body) ? null : JsonSerializer.Deserialize(body, XApiJsonContext.Default.XErrorResponse);
            errors = answer?.Errors is { Count: > 0 } listed ? listed
                : (answer?.Detail ?? answer?.Title) is { } problem ? [new XApiError(0, problem)]
                : [];
            problemType = answer is { Errors: null or { Count: 0 } } && JsonNode.Parse(body!) is JsonObject document
                && document["type"] is JsonValue type && type.TryGetValue<string>(out var named) ? named : null;
        }
        catch (JsonException)
        {
            // Not X's JSON error shape (e.g. a proxy's HTML page): the status code is all we know.
        }

        var quota = XQuota.From(headers);
        return new XApiException(statusCode, errors, quota.User?.ResetsAt, problemType, quota);
    }
}

/// <summary>One of X's windows as its headers state it: how many calls it allows, how many are left, and when it resets.</summary>
public sealed record XQuotaWindow(string Name, long Limit, long Remaining, DateTimeOffset ResetsAt)
{
    public bool IsSpent => Remaining <= 0;
}

/// <summary>
/// The windows X reports on an answer (any answer, not only 429): the endpoint's own per-user window
/// (<c>x-rate-limit-limit/remaining/reset</c>, reset in epoch seconds), and the app's and user's 24-hour windows that
/// X adds on DM and post endpoints (<c>x-app-limit-24hour-*</c>, <c>x-user-limit-24hour-*</c>). A window whose
/// headers are missing or unreadable is null; a reset alone (as on a bare 429) is a window with nothing known left.
/// </summary>
public sealed record XQuota(XQuotaWindow? User, XQuotaWindow? App24Hour, XQuotaWindow? User24Hour)
{
    public const string UserWindow = "endpoint";
    public const string App24HourWindow = "app_24h";
    public const string User24HourWindow = "user_24h";

    public static readonly XQuota None = new(null, null, null);

    public bool IsEmpty => User is null && App24Hour is null && User24Hour is null;

    public IEnumerable<XQuotaWindow> Windows => new[] { User, App24Hour, User24Hour }.OfType<XQuotaWindow>();

    public static XQuota From(HttpResponseHeaders headers) => new(
        Window(headers, UserWindow, "x-rate-limit-"),
        Window(headers, App24HourWindow, "x-app-limit-24hour-"),
        Window(headers, User24HourWindow, "x-user-limit-24hour-"));

    private static XQuotaWindow? Window(HttpResponseHeaders headers, string name, string prefix)
    {
        if (Number(headers, prefix + "reset") is not { } reset)
        {
            return null;
        }

        // A reset without the counts (a bare 429) says the window is spent until then.
        return new XQuotaWindow(name, Number(headers, prefix + "limit") ?? 0, Number(headers, prefix + "remaining") ?? 0, DateTimeOffset.FromUnixTimeSeconds(reset));
    }

    private static long? Number(HttpResponseHeaders headers, string name) =>
        headers.TryGetValues(name, out var values)
        && long.TryParse(values.FirstOrDefault(), NumberStyles.None, CultureInfo.InvariantCulture, out var number)
        && number <= 253_402_300_799 // year 9999 in epoch seconds: beyond, DateTimeOffset cannot hold it
            ? number
            : null;
}

/// <summary>The request may or may not have reached X (no answer, connection lost mid-way): never resend blindly.</summary>
public sealed class XOutcomeUnknownException(string message, Exception innerException) : Exception(message, innerException);

/// <summary>
/// Whether a reply whose outcome was lost reached X cannot be told yet (X's list could not be read, or not far
/// enough back): the reply is neither sent nor taken as sent, and the message is retried to ask again.
/// </summary>
public sealed class ReplyLookupUndecidedException : Exception
{
    public ReplyLookupUndecidedException(string message) : base(message)
    {
    }

    public ReplyLookupUndecidedException(string message, Exception innerException) : base(message, innerException)
    {
    }
}
