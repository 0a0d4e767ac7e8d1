using System.Globalization;
using System.Net.Http.Headers;
using System.Text.Json;

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
}

/// <summary>X answered a request with an error status; carries X's own error codes and messages.</summary>
public sealed class XApiException(int statusCode, IReadOnlyList<XApiError> errors, DateTimeOffset? rateLimitResetsAt)
    : Exception($"X answered {statusCode}: {(errors.Count == 0 ? "no error details" : string.Join("; ", errors.Select(e => $"{e.Code} {e.Message}")))}")
{
    /// <summary>X's error codes that mean "never": 349 cannot send messages to this user, 150 not following, 108 no such user, 151 error sending.</summary>
    private static readonly int[] PermanentCodes = [349, 150, 108, 151];

    public int StatusCode { get; } = statusCode;

    public IReadOnlyList<XApiError> Errors { get; } = errors;

    /// <summary>From <c>x-rate-limit-reset</c> (epoch seconds), when X sent it.</summary>
    public DateTimeOffset? RateLimitResetsAt { get; } = rateLimitResetsAt;

    public int? ErrorCode => Errors.Count > 0 ? Errors[0].Code : null;

    public XFailureKind Kind => this switch
    {
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
    public bool IsRetryable => Kind is XFailureKind.Transient or XFailureKind.RateLimited or XFailureKind.AuthenticationFailed;

    /// <summary>X's error answer: v1.1's coded errors or v2's problem document, and its rate-limit reset.</summary>
    public static XApiException FromAnswer(int statusCode, string? body, HttpResponseHeaders headers)
    {
        IReadOnlyList<XApiError> errors = [];
        try
        {
            var answer = string.IsNullOrWhiteSpace(body) ? null : JsonSerializer.Deserialize(body, XApiJsonContext.Default.XErrorResponse);
            errors = answer?.Errors is { Count: > 0 } listed ? listed
                : (answer?.Detail ?? answer?.Title) is { } problem ? [new XApiError(0, problem)]
                : [];
        }
        catch (JsonException)
        {
            // Not X's JSON error shape (e.g. a proxy's HTML page): the status code is all we know.
        }

        DateTimeOffset? resetsAt = headers.TryGetValues("x-rate-limit-reset", out var values)
            && long.TryParse(values.FirstOrDefault(), NumberStyles.None, CultureInfo.InvariantCulture, out var epochSeconds)
                ? DateTimeOffset.FromUnixTimeSeconds(epochSeconds)
                : null;
        return new XApiException(statusCode, errors, resetsAt);
    }
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
