using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.Sockets;
using System.Text;

namespace TwitterBot.Benchmarks;

/// <summary>
/// One of our services as its own OS process (what a deployment runs), configured through environment
/// variables: the benchmarks measure it, the specs kill it with SIGKILL and start it again.
/// </summary>
public sealed class ServiceProcess : IAsyncDisposable
{
    private const int MaxOutput = 1 << 20;

    private readonly Process _process;
    private readonly StringBuilder _output = new();

    private ServiceProcess(Process process, Uri baseAddress)
    {
        _process = process;
        BaseAddress = baseAddress;
    }

    public Uri BaseAddress { get; }

    public int Id => _process.Id;

    /// <summary>What the process wrote (its first MiB), for a failing spec's message.</summary>
    public string Output
    {
        get
        {
            lock (_output)
            {
                return _output.ToString();
            }
        }
    }

    /// <param name="port">The port to listen on (a restarted service keeps its address); a free one by default.</param>
    public static ServiceProcess Start(
        string directory, string dll, IEnumerable<KeyValuePair<string, string?>> settings, string environment = "Production", string logLevel = "Warning", int? port = null)
    {
        port ??= FreePort();
        var start = new ProcessStartInfo("dotnet", dll)
        {
            WorkingDirectory = Path.GetFullPath(directory),
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        foreach (var (key, value) in settings)
        {
            start.Environment[key.Replace(":", "__", StringComparison.Ordinal)] = value;
        }

        start.Environment["ASPNETCORE_ENVIRONMENT"] = environment;
        start.Environment["Urls"] = $"http://127.0.0.1:{port}";
        start.Environment["Logging__LogLevel__Default"] = logLevel;

        var process = new Process { StartInfo = start };
        var started = new ServiceProcess(process, new Uri($"http://127.0.0.1:{port}/"));
        process.OutputDataReceived += (_, line) => started.Append(line.Data);
        process.ErrorDataReceived += (_, line) => started.Append(line.Data);
        process.Start();
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        return started;
    }

    public async Task WaitUntilReadyAsync(TimeSpan within)
    {
        using var client = new HttpClient();
        using var timeout = new CancellationTokenSource(within);
        while (true)
        {
            if (_process.HasExited)
            {
                throw new InvalidOperationException($"The service exited with {_process.ExitCode}:\n{Output}");
            }

            try
            {
                using var response = await client.GetAsync(new Uri(BaseAddress, "health/ready"), timeout.Token);
                if (response.StatusCode == HttpStatusCode.OK)
                {
                    return;
                }
            }
            catch (HttpRequestException)
            {
                // not listening yet
            }

            await Task.Delay(200, timeout.Token);
        }
    }

    /// <summary>The process's peak resident set size (VmHWM), in MiB.</summary>
    public double PeakRssMib()
    {
        var line = File.ReadLines($"/proc/{_process.Id}/status").First(l => l.StartsWith("VmHWM:", StringComparison.Ordinal));
        return long.Parse(line.Split(' ', StringSplitOptions.RemoveEmptyEntries)[1], CultureInfo.InvariantCulture) / 1024.0;
    }

    /// <summary>SIGKILL: no shutdown, no acknowledgement, no cleanup, like a crashed container.</summary>
    public async Task KillAsync()
    {
        _process.Kill(entireProcessTree: true);
        await _process.WaitForExitAsync();
    }

    public async ValueTask DisposeAsync()
    {
        if (!_process.HasExited)
        {
            await KillAsync();
        }

        _process.Dispose();
    }

    private void Append(string? line)
    {
        lock (_output)
        {
            if (line is not null && _output.Length < MaxOutput)
            {
                _output.AppendLine(line);
            }
        }
    }

    /// <summary>A loopback port free right now (for a service that must keep its address across restarts).</summary>
    public static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }
}
