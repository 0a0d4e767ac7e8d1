using System.Net;
using System.Runtime.ExceptionServices;
using System.Text.Json;
using Refit;

namespace TwitterBot.Processor.Clients.X;

/// <summary>
/// The one place where what X answered (or did not) becomes an outcome, for every call the Refit clients make:
/// <list type="bullet">
/// <item>no connection to X at all (<see cref="HttpRequestError.ConnectionError"/>): the <see cref="HttpRequestException"/> itself, nothing was sent;</item>
/// <item>an answer lost on the way (connection dropped, timeout): <see cref="XOutcomeUnknownException"/>, the request may have reached X;</item>
/// <item>an error status: <see cref="XApiException"/> with X's codes and rate-limit reset (a 5xx is <see cref="XApiException.OutcomeUnknown"/>);</item>
/// <item>a success: its body, as <see cref="ReadAsync{T}"/> needs it or <see cref="AcceptedAsync{T}"/> tolerates it.</item>
/// </list>
/// The <c>Date</c> of every answer feeds <see cref="XClock"/> when one is given, and the rate-limit windows of
/// every answer (success or not) go to the <see cref="XQuotaCapture"/> the caller opened, if any.
/// </summary>
public static class XResponses
{
    /// <summary>A call whose body is needed: a success X garbled throws <see cref="JsonException"/>.</summary>
    public static async Task<T> ReadAsync<T>(string what, Func<Task<IApiResponse<T>>> call, XClock? clock, CancellationToken cancellationToken)
    {
        using var response = await AnsweredAsync(what, call, clock, cancellationToken);
        return response.Error is null && response.Content is { } content
            ? content
            : throw new JsonException($"X's answer to {what} could not be read.", response.Error);
    }

    /// <summary>A send X accepted: a body it garbled does not make it unsent (null then); a body cut off is an unknown outcome.</summary>
    public static async Task<T?> AcceptedAsync<T>(string what, Func<Task<IApiResponse<T>>> call, XClock? clock, CancellationToken cancellationToken)
    {
        using var response = await AnsweredAsync(what, call, clock, cancellationToken);
        return response.Error?.InnerException switch
        {
            // The status arrived but the body was cut off: as with a lost answer, the send may or may not have been taken.
            IOException or HttpRequestException => throw new XOutcomeUnknownException($"X's answer to {what} was cut off: {response.Error.InnerException.Message}", response.Error.InnerException),
            OperationCanceledException when !cancellationToken.IsCancellationRequested => throw new XOutcomeUnknownException($"X did not finish its answer to {what} in time.", response.Error.InnerException),
            _ => response.Content,
        };
    }

    /// <summary>A call without a body to read.</summary>
    public static async Task EnsureAsync(string what, Func<Task<IApiResponse>> call, XClock? clock, CancellationToken cancellationToken)
    {
        using var response = await SentAsync(what, call, cancellationToken);
        Answered(what, response, clock, cancellationToken);
    }

    private static async Task<IApiResponse<T>> AnsweredAsync<T>(string what, Func<Task<IApiResponse<T>>> call, XClock? clock, CancellationToken cancellationToken)
    {
        var response = await SentAsync(what, call, cancellationToken);
        try
        {
            Answered(what, response, clock, cancellationToken);
            return response;
        }
        catch
        {
            response.Dispose();
            throw;
        }
    }

    private static void Answered(string what, IApiResponse response, XClock? clock, CancellationToken cancellationToken)
    {
        if (!response.IsReceived)
        {
            // Refit keeps a failure before any answer in the response; only its cause says what happened.
            throw Transport(what, response.Error?.InnerException ?? (Exception?)response.Error ?? new HttpRequestException($"X sent no answer to {what}."), cancellationToken);
        }

        clock?.Observe(response.Headers);
        XQuotaCapture.Observe(response.Headers);
        if (!response.IsSuccessStatusCode)
        {
            throw XApiException.FromAnswer((int)response.StatusCode, (response.Error as ApiException)?.Content, response.Headers);
        }
    }

    /// <summary>Sends the request; a failure Refit throws rather than keeps is classified like one it keeps.</summary>
    private static async Task<TResponse> SentAsync<TResponse>(string what, Func<Task<TResponse>> call, CancellationToken cancellationToken)
    {
        try
        {
            return await call();
        }
        catch (ApiRequestException failure)
        {
            throw Transport(what, failure.InnerException ?? failure, cancellationToken);
        }
        catch (Exception failure) when (failure is HttpRequestException or OperationCanceledException)
        {
            throw Transport(what, failure, cancellationToken);
        }
    }

    private static Exception Transport(string what, Exception cause, CancellationToken cancellationToken) => cause switch
    {
        // Refused before any byte of the request left: X cannot have it.
        HttpRequestException { HttpRequestError: HttpRequestError.ConnectionError } => cause,
        HttpRequestException => new XOutcomeUnknownException($"X's answer to {what} was lost: {cause.Message}", cause),
        OperationCanceledException when !cancellationToken.IsCancellationRequested => new XOutcomeUnknownException($"X did not answer {what} in time.", cause),
        _ => Rethrown(cause),
    };

    private static Exception Rethrown(Exception cause)
    {
        ExceptionDispatchInfo.Throw(cause);
        return cause;
    }
}

/// <summary>
/// Collects the windows X reports on the answers to calls made inside it (on this async flow), so that the send
/// loop reads quota from every answer without the channels having to pass headers up. Open one around a call:
/// <c>using var capture = XQuotaCapture.Open();</c>, then read <see cref="Last"/>.
/// </summary>
public sealed class XQuotaCapture : IDisposable
{
    private static readonly AsyncLocal<XQuotaCapture?> Current = new();
    private readonly XQuotaCapture? _outer;

    private XQuotaCapture()
    {
        _outer = Current.Value;
        Current.Value = this;
    }

    /// <summary>The windows of the last answer that reported any, or <see cref="XQuota.None"/>.</summary>
    public XQuota Last { get; private set; } = XQuota.None;

    public static XQuotaCapture Open() => new();

    internal static void Observe(System.Net.Http.Headers.HttpResponseHeaders headers)
    {
        if (Current.Value is { } capture && XQuota.From(headers) is { IsEmpty: false } quota)
        {
            capture.Last = quota;
        }
    }

    public void Dispose() => Current.Value = _outer;
}
