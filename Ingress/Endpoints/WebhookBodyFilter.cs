namespace TwitterBot.Ingress.Endpoints;

/// <summary>Answers 413 for a body over the limit and 415 for one that is not JSON, before anything else.</summary>
public sealed class WebhookBodyFilter : IEndpointFilter
{
    public async ValueTask<object?> InvokeAsync(EndpointFilterInvocationContext context, EndpointFilterDelegate next) =>
        context.Arguments.OfType<RawWebhookBody>().Single().Issue switch
        {
            RawWebhookBody.Problem.TooLarge => TypedResults.Problem(statusCode: StatusCodes.Status413PayloadTooLarge, title: "The webhook body is larger than Ingress:MaxBodyBytes."),
            RawWebhookBody.Problem.NotJson => TypedResults.Problem(statusCode: StatusCodes.Status415UnsupportedMediaType, title: "Webhook bodies must be application/json."),
            _ => await next(context),
        };
}
