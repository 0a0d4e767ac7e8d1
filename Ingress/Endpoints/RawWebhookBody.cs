namespace TwitterBot.Ingress.Endpoints;

/// <summary>
/// The exact bytes X POSTed. Bound before the endpoint filters run, so the signature filter verifies
/// precisely what the handler will parse.
/// </summary>
public sealed record RawWebhookBody(ReadOnlyMemory<byte> Bytes)
{
    public static async ValueTask<RawWebhookBody?> BindAsync(HttpContext context)
    {
        var request = context.Request;
        var capacity = request.ContentLength is > 0 and < int.MaxValue ? (int)request.ContentLength.Value : 4096;
        using var buffer = new MemoryStream(capacity);
        await request.Body.CopyToAsync(buffer, context.RequestAborted);
        return new RawWebhookBody(buffer.GetBuffer().AsMemory(0, (int)buffer.Length));
    }
}
