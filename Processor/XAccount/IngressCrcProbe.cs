using System.Net.Http.Json;
using System.Security.Cryptography;
using System.Text.Json.Serialization;
using Microsoft.Extensions.Options;
using TwitterBot.Conventions.Accounts;
using TwitterBot.Conventions.Webhooks;

namespace TwitterBot.Processor.XAccount;

/// <summary>What the Ingress answered to a CRC challenge sent the way X sends it.</summary>
public sealed record CrcProbeResult(bool Answered, string Detail);

/// <summary>
/// Sends X's CRC challenge to the public webhook URL and checks the answer against our consumer secret:
/// the check X itself makes when a webhook is registered or re-validated.
/// </summary>
public sealed class IngressCrcProbe(HttpClient http, IOptions<TwitterBotOptions> options, TimeProvider time)
{
    public async Task<CrcProbeResult> ChallengeAsync(string webhookUrl, CancellationToken cancellationToken)
    {
        var token = Convert.ToBase64String(RandomNumberGenerator.GetBytes(24)).Replace('+', '-').Replace('/', '_');
        var expected = new WebhookSigner(options.Value.Auth.ConsumerSecret!).CrcResponseToken(token);
        var separator = webhookUrl.Contains('?', StringComparison.Ordinal) ? '&' : '?';
        try
        {
            using var response = await http.GetAsync(new Uri($"{webhookUrl}{separator}crc_token={token}"), cancellationToken);
            if (!response.IsSuccessStatusCode)
            {
                return new(false, $"GET {webhookUrl}?crc_token=… answered {(int)response.StatusCode} {response.ReasonPhrase}.");
            }

            var answer = await response.Content.ReadFromJsonAsync(CrcJsonContext.Default.CrcAnswer, cancellationToken);
            return answer?.ResponseToken == expected
                ? new(true, $"GET {webhookUrl}?crc_token=… answered the challenge correctly.")
                : new(false, $"GET {webhookUrl}?crc_token=… answered a response_token that does not match: the Ingress signs with another TwitterBot:Auth:ConsumerSecret, or the URL reaches something else.");
        }
        catch (Exception failure) when (failure is HttpRequestException or System.Text.Json.JsonException or TaskCanceledException && !cancellationToken.IsCancellationRequested)
        {
            return new(false, $"GET {webhookUrl}?crc_token=… failed: {failure.Message}");
        }
    }

    /// <summary>Challenges until the Ingress answers correctly, for at most <paramref name="within"/>.</summary>
    /// <exception cref="IngressNotAnsweringException">It never did.</exception>
    public async Task WaitUntilAnsweringAsync(string webhookUrl, TimeSpan within, CancellationToken cancellationToken)
    {
        var deadline = time.GetUtcNow() + within;
        var pause = TimeSpan.FromMilliseconds(250);
        while (true)
        {
            var probe = await ChallengeAsync(webhookUrl, cancellationToken);
            if (probe.Answered)
            {
                return;
            }

            if (time.GetUtcNow() + pause > deadline)
            {
                throw new IngressNotAnsweringException(
                    $"X sends its CRC challenge to {webhookUrl}, and the Ingress did not answer it within {within}: {probe.Detail} "
                    + "Check that the Ingress runs and that TwitterBot:Api:WebhookUrl is its public https address.");
            }

            await Task.Delay(pause, time, cancellationToken);
            pause = TimeSpan.FromTicks(Math.Min(pause.Ticks * 2, TimeSpan.FromSeconds(5).Ticks));
        }
    }
}

public sealed class IngressNotAnsweringException(string message) : Exception(message);

public sealed record CrcAnswer(string? ResponseToken);

[JsonSourceGenerationOptions(PropertyNamingPolicy = JsonKnownNamingPolicy.SnakeCaseLower)]
[JsonSerializable(typeof(CrcAnswer))]
public sealed partial class CrcJsonContext : JsonSerializerContext;
