using System.Globalization;
using TwitterBot.Ingress.Webhooks;

namespace TwitterBot.Ingress.Admission;

/// <summary>Endpoint metadata: requests to it pass <see cref="WebhookAdmission"/> first.</summary>
public sealed class AdmissionControlled
{
    public static readonly AdmissionControlled Metadata = new();

    private AdmissionControlled()
    {
    }
}

/// <summary>
/// Runs after routing and before the endpoint binds its body: a refused POST is answered 503 with
/// <c>Retry-After</c> without reading the body or checking its signature. Endpoints not marked
/// <see cref="AdmissionControlled"/> (CRC, health) pass straight through.
/// </summary>
public sealed class AdmissionMiddleware(RequestDelegate next, WebhookAdmission admission, IngressMetrics metrics)
{
    /// <summary>The problem details every refusal carries, serialized once: refusing must stay cheap.</summary>
    private static readonly byte[] RefusedBody = System.Text.Encoding.UTF8.GetBytes(
        """{"type":"https://tools.ietf.org/html/rfc9110#section-15.6.4","title":"The Ingress is at capacity; retry later.","status":503}""");

    public async Task InvokeAsync(HttpContext context)
    {
        if (context.GetEndpoint()?.Metadata.GetMetadata<AdmissionControlled>() is null)
        {
            await next(context);
            return;
        }

        using var admitted = await admission.AdmitAsync(context.RequestAborted);
        if (admitted is null)
        {
            return;
        }

        if (admitted.Refusal is { } refusal)
        {
            metrics.Unavailable(Reason(refusal));
            SetRetryAfter(context.Response, admission.RetryAfterSeconds);
            context.Response.StatusCode = StatusCodes.Status503ServiceUnavailable;
            context.Response.ContentType = "application/problem+json";
            await context.Response.Body.WriteAsync(RefusedBody, context.RequestAborted);
            return;
        }

        await next(context);
    }

    public static void SetRetryAfter(HttpResponse response, int seconds) =>
        response.Headers.RetryAfter = seconds.ToString(CultureInfo.InvariantCulture);

    private static string Reason(AdmissionRefusal refusal) => refusal switch
    {
        AdmissionRefusal.Busy => "busy",
        AdmissionRefusal.QueueFull => "queue_full",
        AdmissionRefusal.QueueTimeout => "queue_timeout",
        _ => "broker_behind",
    };
}
