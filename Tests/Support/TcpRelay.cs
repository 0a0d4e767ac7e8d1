using System.Net;
using System.Net.Sockets;

namespace TwitterBot.Tests.Support;

/// <summary>
/// A loopback TCP relay in front of RabbitMQ. <see cref="Cut"/> drops every connection and refuses new ones
/// (what a client sees when the broker stops); <see cref="Stall"/> keeps connections open but moves no byte
/// (a broker blocking publishers under a resource alarm, or far too slow); <see cref="Restore"/> undoes both.
/// </summary>
public sealed class TcpRelay : IAsyncDisposable
{
    private readonly TcpListener _listener = new(IPAddress.Loopback, 0);
    private readonly IPEndPoint _target;
    private readonly CancellationTokenSource _stopping = new();
    private readonly List<TcpClient> _open = [];
    private volatile bool _cut;
    private volatile TaskCompletionSource _flowing = Open();

    public TcpRelay(string targetNode)
    {
        var colon = targetNode.LastIndexOf(':');
        _target = new IPEndPoint(IPAddress.Parse(targetNode[..colon]), int.Parse(targetNode[(colon + 1)..], System.Globalization.CultureInfo.InvariantCulture));
        _listener.Start();
        _ = AcceptAsync();
    }

    /// <summary>The <c>host:port</c> to configure as the broker node.</summary>
    public string Node => $"127.0.0.1:{((IPEndPoint)_listener.LocalEndpoint).Port}";

    public void Cut()
    {
        _cut = true;
        lock (_open)
        {
            _open.ForEach(client => client.Dispose());
            _open.Clear();
        }
    }

    public void Stall() => _flowing = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);

    public void Restore()
    {
        _cut = false;
        _flowing.TrySetResult();
    }

    private static TaskCompletionSource Open()
    {
        var open = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        open.SetResult();
        return open;
    }

    private async Task PumpAsync(NetworkStream from, NetworkStream to)
    {
        var buffer = new byte[16 * 1024];
        int read;
        while ((read = await from.ReadAsync(buffer, _stopping.Token)) > 0)
        {
            await _flowing.Task.WaitAsync(_stopping.Token);
            await to.WriteAsync(buffer.AsMemory(0, read), _stopping.Token);
        }
    }

    private async Task AcceptAsync()
    {
        while (!_stopping.IsCancellationRequested)
        {
            TcpClient client;
            try
            {
                client = await _listener.AcceptTcpClientAsync(_stopping.Token);
            }
            catch (OperationCanceledException)
            {
                return;
            }

            if (_cut)
            {
                client.Dispose();
                continue;
            }

            _ = RelayAsync(client);
        }
    }

    private async Task RelayAsync(TcpClient client)
    {
        var upstream = new TcpClient();
        lock (_open)
        {
            _open.Add(client);
            _open.Add(upstream);
        }

        try
        {
            await upstream.ConnectAsync(_target, _stopping.Token);
            await Task.WhenAny(PumpAsync(client.GetStream(), upstream.GetStream()), PumpAsync(upstream.GetStream(), client.GetStream()));
        }
        catch (Exception exception) when (exception is IOException or SocketException or ObjectDisposedException or OperationCanceledException or InvalidOperationException)
        {
            // One side went away (or the relay was cut): close both.
        }
        finally
        {
            client.Dispose();
            upstream.Dispose();
        }
    }

    public async ValueTask DisposeAsync()
    {
        await _stopping.CancelAsync();
        _listener.Stop();
        Cut();
        _stopping.Dispose();
    }
}
