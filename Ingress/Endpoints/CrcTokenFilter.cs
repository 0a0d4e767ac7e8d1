namespace TwitterBot.Ingress.Endpoints;

/// <summary>
/// Answers only CRC tokens that look like X's opaque tokens (bounded, base64/url-safe alphabet), so the
/// endpoint cannot be used to have arbitrary text signed with our consumer secret.
/// </summary>
public sealed class CrcTokenFilter : IEndpointFilter
{
    public const int MaxTokenLength = 256;

    public async ValueTask<object?> InvokeAsync(EndpointFilterInvocationContext context, EndpointFilterDelegate next)
    {
        var token = context.Arguments.OfType<string>().FirstOrDefault();
        if (!LooksLikeCrcToken(token))
        {
            return TypedResults.Problem(
                statusCode: StatusCodes.Status400BadRequest,
                title: "crc_token is missing or is not an X CRC token.");
        }

        return await next(context);
    }

    public static bool LooksLikeCrcToken(string? token) =>
        token is { Length: > 0 and <= MaxTokenLength } && token.All(c => char.IsAsciiLetterOrDigit(c) || c is '-' or '_' or '+' or '/' or '=');
}
