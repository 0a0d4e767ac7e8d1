using Microsoft.Extensions.Options;
using Microsoft.Net.Http.Headers;
using TwitterBot.Ingress.Webhooks;

namespace TwitterBot.Ingress.Endpoints;

/// <summary>
/// The exact bytes X POSTed, bound before the endpoint filters run so that the signature filter verifies
/// precisely what the handler parses. A body over <c>Ingress:MaxBodyBytes</c> is not read past the limit,
/// and one that is not declared JSON is not read at all; <see cref="WebhookBodyFilter"/> answers them.
/// </summary>
public sealed record RawWebhookBody(ReadOnlyMemory<byte> Bytes, RawWebhookBody.Problem Issue)
{
    public enum Problem
    {
        None,
        TooLarge,
        NotJson,
    }

    public static async ValueTask<RawWebhookBody?> BindAsync(HttpContext context)
    {
        var request = context.Request;
        if (!IsJson(request.ContentType))
        {
            return new RawWebhookBody(ReadOnlyMemory<byte>.Empty, Problem.NotJson);
        }

        var limit = context.RequestServices.GetRequiredService<IOptions<WebhookReceiverOptions>>().Value.MaxBodyBytes;
        if (request.ContentLength > limit)
        {
            return new RawWebhookBody(ReadOnlyMemory<byte>.Empty, Problem.TooLarge);
        }

        var buffer = new byte[request.ContentLength ?? 4096];
        var length = 0;
        while (true)
        {
            if (length == buffer.Length)
            {
                if (length > limit)
                {
                    return new RawWebhookBody(ReadOnlyMemory<byte>.Empty, Problem.TooLarge);
                }

                Array.Resize(ref buffer, Math.Min(Math.Max(buffer.Length * 2, 4096), limit + 1));
            }

            var read = await request.Body.ReadAsync(buffer.AsMemory(length), context.RequestAborted);
            if (read == 0)
            {
                break;
            }

            length += read;
        }

        return length > limit
            ? new RawWebhookBody(ReadOnlyMemory<byte>.Empty, Problem.TooLarge)
            : new RawWebhookBody(buffer.AsMemory(0, length), Problem.None);
    }

    private static bool IsJson(string? contentType) =>
        MediaTypeHeaderValue.TryParse(contentType, out var mediaType)
        && (mediaType.MediaType.Equals("application/json", StringComparison.OrdinalIgnoreCase)
            || mediaType.Suffix.Equals("json", StringComparison.OrdinalIgnoreCase));
}
