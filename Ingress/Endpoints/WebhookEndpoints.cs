using System.Text.Json.Serialization;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Mvc;
using TwitterBot.Conventions.Webhooks;
using TwitterBot.Ingress.Admission;
using TwitterBot.Ingress.Webhooks;

namespace TwitterBot.Ingress.Endpoints;

public static class WebhookEndpoints
{
    public static IEndpointRouteBuilder MapWebhookEndpoints(this IEndpointRouteBuilder endpoints)
    {
        var webhooks = endpoints.MapGroup("/webhooks");

        webhooks.MapGet("/", AnswerCrcChallenge)
            .AddEndpointFilter<CrcTokenFilter>()
            .WithName("AnswerCrcChallenge");

        webhooks.MapPost("/", ReceiveEvents)
            .WithMetadata(AdmissionControlled.Metadata)
            .AddEndpointFilter<WebhookBodyFilter>()
            .AddEndpointFilter<WebhookSignatureFilter>()
            .WithName("ReceiveEvents");

        return endpoints;
    }

    /// <summary>X's Challenge-Response Check: proves we hold the consumer secret. Never touches the broker.</summary>
    /// <remarks>
    /// The token is optional to binding: a missing one is answered 400 by <see cref="CrcTokenFilter"/>, which
    /// has let only an X-shaped token through to here. A required parameter would fail binding instead,
    /// which throws in Development and is logged and rendered with a stack trace.
    /// </remarks>
    public static Ok<CrcResponse> AnswerCrcChallenge([FromQuery(Name = "crc_token")] string? crcToken, WebhookSigner signer) =>
        TypedResults.Ok(new CrcResponse(signer.CrcResponseToken(crcToken!)));

    /// <summary>200 only once every message is confirmed by RabbitMQ; 503 (with <c>Retry-After</c>) tells X to retry.</summary>
    public static async Task<Results<Ok, ProblemHttpResult>> ReceiveEvents(
        RawWebhookBody body, WebhookReceiver receiver, WebhookAdmission admission, HttpContext context, CancellationToken cancellationToken)
    {
        switch (await receiver.ReceiveAsync(body.Bytes, context.TraceIdentifier, cancellationToken))
        {
            case WebhookOutcome.Accepted:
                return TypedResults.Ok();
            case WebhookOutcome.Malformed:
                return TypedResults.Problem(statusCode: StatusCodes.Status400BadRequest, title: "The body is not a valid X webhook event.");
            default:
                AdmissionMiddleware.SetRetryAfter(context.Response, admission.RetryAfterSeconds);
                return TypedResults.Problem(statusCode: StatusCodes.Status503ServiceUnavailable, title: "The event could not be stored; retry later.");
        }
    }
}

public sealed record CrcResponse([property: JsonPropertyName("response_token")] string ResponseToken);

[JsonSerializable(typeof(CrcResponse))]
internal sealed partial class IngressJsonContext : JsonSerializerContext;
