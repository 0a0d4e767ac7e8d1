using System.Buffers;
using Microsoft.Extensions.Options;
using Microsoft.Net.Http.Headers;
using TwitterBot.Ingress.Webhooks;

namespace TwitterBot.Ingress.Endpoints;

/// <summary>
/// The exact bytes X POSTed, bound before the endpoint filters run so that the signature filter verifies
/// precisely what the handler parses. A body over <c>Ingress:MaxBodyBytes</c> is not read past the limit,
/// and one that is not declared JSON is not read at all; <see cref="WebhookBodyFilter"/> answers them.
/// <para>
/// The buffer grows with the bytes that actually arrive, from 4 KiB, never with what <c>Content-Length</c>
/// declares: a request declaring 1 MiB and sending a few bytes costs a few KiB. It is rented from the
/// shared pool and returned, cleared of the body, when the response ends.
/// </para>
/// </summary>
public sealed record RawWebhookBody(ReadOnlyMemory<byte> Bytes, RawWebhookBody.Problem Issue)
{
    public const int InitialBufferBytes = 4096;

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

        var buffer = new PooledBuffer(Math.Min(InitialBufferBytes, limit + 1));
        context.Response.RegisterForDispose(buffer);
        while (true)
        {
            if (buffer.IsFull)
            {
                if (buffer.Length > limit)
                {
                    return new RawWebhookBody(ReadOnlyMemory<byte>.Empty, Problem.TooLarge);
                }

                buffer.Grow(Math.Min(buffer.Length * 2, limit + 1));
            }

            var read = await request.Body.ReadAsync(buffer.Free, context.RequestAborted);
            if (read == 0)
            {
                break;
            }

            buffer.Advance(read);
        }

        return buffer.Length > limit
            ? new RawWebhookBody(ReadOnlyMemory<byte>.Empty, Problem.TooLarge)
            : new RawWebhookBody(buffer.Written, Problem.None);
    }

    private static bool IsJson(string? contentType) =>
        MediaTypeHeaderValue.TryParse(contentType, out var mediaType)
        && (mediaType.MediaType.Equals("application/json", StringComparison.OrdinalIgnoreCase)
            || mediaType.Suffix.Equals("json", StringComparison.OrdinalIgnoreCase));

    /// <summary>
    /// A buffer rented from <see cref="ArrayPool{T}.Shared"/> that grows by renting a larger one. What was
    /// written is cleared before an array goes back to the pool: it holds DM text.
    /// </summary>
    private sealed class PooledBuffer(int initialSize) : IDisposable
    {
        private byte[] _array = ArrayPool<byte>.Shared.Rent(initialSize);
        private int _capacity = initialSize;

        public int Length { get; private set; }

        public bool IsFull => Length == _capacity;

        public Memory<byte> Free => _array.AsMemory(Length, _capacity - Length);

        public ReadOnlyMemory<byte> Written => _array.AsMemory(0, Length);

        public void Advance(int count) => Length += count;

        /// <summary>Capacity is tracked apart from the rented array's length, which the pool may round up.</summary>
        public void Grow(int capacity)
        {
            var larger = ArrayPool<byte>.Shared.Rent(capacity);
            _array.AsSpan(0, Length).CopyTo(larger);
            Return(_array, Length);
            _array = larger;
            _capacity = capacity;
        }

        public void Dispose()
        {
            Return(_array, Length);
            _array = [];
            _capacity = Length = 0;
        }

        private static void Return(byte[] array, int written)
        {
            if (array.Length == 0)
            {
                return;
            }

            array.AsSpan(0, written).Clear();
            ArrayPool<byte>.Shared.Return(array);
        }
    }
}
