using TwitterBot.Conventions.Webhooks;
using TwitterBot.Ingress.Webhooks;

namespace TwitterBot.Ingress.Endpoints;

/// <summary>Rejects a POST whose <c>x-twitter-webhooks-signature</c> does not match its raw body.</summary>
public sealed partial class WebhookSignatureFilter(WebhookSigner signer, ILogger<WebhookSignatureFilter> logger) : IEndpointFilter
{
    public async ValueTask<object?> InvokeAsync(EndpointFilterInvocationContext context, EndpointFilterDelegate next)
    {
        var body = context.Arguments.OfType<RawWebhookBody>().Single();
        var header = context.HttpContext.Request.Headers[WebhookSigner.SignatureHeader];
        if (header.Count != 1 || !signer.IsValid(body.Bytes.Span, header[0]))
        {
            LogRejected(context.HttpContext.TraceIdentifier, header.Count == 0 ? "missing" : "not matching the body", body.Bytes.Length);
            return TypedResults.Unauthorized();
        }

        return await next(context);
    }

    [LoggerMessage(LogLevel.Warning, "Webhook {RequestId} rejected with 401: signature header {Problem} ({Length} bytes).")]
    private partial void LogRejected(string requestId, string problem, int length);
}
