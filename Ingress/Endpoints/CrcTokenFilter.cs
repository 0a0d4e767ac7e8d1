using TwitterBot.Conventions.Webhooks;
using TwitterBot.Ingress.Webhooks;

namespace TwitterBot.Ingress.Endpoints;

/// <summary>
/// Answers only CRC tokens that look like X's opaque tokens (bounded, base64/url-safe alphabet), so the
/// endpoint cannot be used to have arbitrary text (a JSON body, say) signed with our consumer secret.
/// When X signs the challenge itself, the signature must match.
/// </summary>
public sealed partial class CrcTokenFilter(WebhookSigner signer, ILogger<CrcTokenFilter> logger) : IEndpointFilter
{
    public const int MaxTokenLength = 256;

    public async ValueTask<object?> InvokeAsync(EndpointFilterInvocationContext context, EndpointFilterDelegate next)
    {
        var request = context.HttpContext.Request;
        var token = request.Query["crc_token"];
        if (token.Count != 1 || !LooksLikeCrcToken(token[0]))
        {
            return TypedResults.Problem(statusCode: StatusCodes.Status400BadRequest, title: "crc_token is missing or is not an X CRC token.");
        }

        var signature = request.Headers[WebhookSigner.SignatureHeader];
        if (signature.Count > 0 && !IsSignedByX(token[0]!, request, signature.Count == 1 ? signature[0] : null))
        {
            LogRejected(context.HttpContext.TraceIdentifier);
            return TypedResults.Unauthorized();
        }

        return await next(context);
    }

    public static bool LooksLikeCrcToken(string? token) =>
        token is { Length: > 0 and <= MaxTokenLength } && token.All(c => char.IsAsciiLetterOrDigit(c) || c is '-' or '_' or '+' or '/' or '=');

    /// <summary>
    /// X signs <c>crc_token=…&amp;nonce=…</c>. Accepted over the decoded values or the query exactly as sent,
    /// since a token's <c>+ / =</c> may travel percent-encoded; both are keyed with our secret.
    /// </summary>
    private bool IsSignedByX(string token, HttpRequest request, string? signature)
    {
        var nonce = request.Query["nonce"].ToString();
        var decoded = nonce.Length == 0 ? $"crc_token={token}" : $"crc_token={token}&nonce={nonce}";
        return signer.IsValid(System.Text.Encoding.UTF8.GetBytes(decoded), signature)
            || signer.IsValid(System.Text.Encoding.UTF8.GetBytes(request.QueryString.Value?.TrimStart('?') ?? string.Empty), signature);
    }

    [LoggerMessage(LogLevel.Warning, "CRC challenge {RequestId} rejected with 401: it carries a signature header that does not match.")]
    private partial void LogRejected(string requestId);
}
