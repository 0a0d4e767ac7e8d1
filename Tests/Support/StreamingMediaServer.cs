using System.Net;
using System.Net.Sockets;
using System.Text;

namespace TwitterBot.Tests.Support;

/// <summary>
/// A raw HTTP/1.1 server on a free loopback port that streams "PNG" bodies the way a broken or hostile media
/// host does: without a Content-Length and without end (<c>/endless.png</c>), with a Content-Length over X's
/// limit (<c>/huge.png</c>), or with one that lies low (<c>/lie.png</c>: announces 1 KB, sends 4 MB). Raw
/// sockets, because Kestrel completes writes after the reader went: here a write fails once the reader
/// closed, so <see cref="BytesServed"/> counts what the reader could have taken (plus socket buffers).
/// Each body stops at 64 MB whatever happens.
/// </summary>
public sealed class StreamingMediaServer : IAsyncDisposable
{
    public const long Limit = 64 * 1024 * 1024;

    private readonly TcpListener _listener = new(IPAddress.Loopback, 0);
    private readonly CancellationTokenSource _stop = new();
    private readonly Task _accepting;
    private long _served;

    public StreamingMediaServer()
    {
        _listener.Server.SendBufferSize = 64 * 1024;
        _listener.Start();
        _accepting = AcceptAsync();
    }

    public long BytesServed => Interlocked.Read(ref _served);

    public Uri Url(string path) => new($"http://127.0.0.1:{((IPEndPoint)_listener.LocalEndpoint).Port}/{path}");

    private async Task AcceptAsync()
    {
        var connections = new List<Task>();
        try
        {
            while (!_stop.IsCancellationRequested)
            {
                var client = await _listener.AcceptTcpClientAsync(_stop.Token);
                connections.Add(ServeAsync(client));
            }
        }
        catch (Exception stopped) when (stopped is OperationCanceledException or SocketException or ObjectDisposedException)
        {
            // Disposed.
        }

        await Task.WhenAll(connections);
    }

    private async Task ServeAsync(TcpClient client)
    {
        using (client)
        {
            client.SendBufferSize = 64 * 1024;
            var stream = client.GetStream();
            try
            {
                var path = await ReadPathAsync(stream);
                var (announced, body) = path switch
                {
                    "/endless.png" => ((long?)null, Limit),
                    "/huge.png" => (20L * 1024 * 1024, 20L * 1024 * 1024),
                    "/lie.png" => (1024, 4L * 1024 * 1024),
                    _ => ((long?)0, 0L),
                };
                var headers = $"HTTP/1.1 {(body > 0 ? "200 OK" : "404 Not Found")}\r\nContent-Type: image/png\r\nConnection: close\r\n"
                    + (announced is { } length ? $"Content-Length: {length}\r\n" : string.Empty) + "\r\n";
                await stream.WriteAsync(Encoding.ASCII.GetBytes(headers), _stop.Token);
                var chunk = new byte[64 * 1024];
                for (long written = 0; written < body; written += chunk.Length)
                {
                    await stream.WriteAsync(chunk, _stop.Token);
                    Interlocked.Add(ref _served, chunk.Length);
                }
            }
            catch (Exception gone) when (gone is IOException or SocketException or OperationCanceledException)
            {
                // The reader closed the connection, as it should once it has enough.
            }
        }
    }

    private static async Task<string> ReadPathAsync(NetworkStream stream)
    {
        var request = new StringBuilder();
        var buffer = new byte[1024];
        while (!request.ToString().Contains("\r\n\r\n", StringComparison.Ordinal) && request.Length < 16 * 1024)
        {
            var read = await stream.ReadAsync(buffer);
            if (read == 0)
            {
                break;
            }

            request.Append(Encoding.ASCII.GetString(buffer, 0, read));
        }

        var line = request.ToString().Split("\r\n")[0].Split(' ');
        return line.Length > 1 ? line[1] : "/";
    }

    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync();
        _listener.Stop();
        await _accepting;
        _stop.Dispose();
    }
}
