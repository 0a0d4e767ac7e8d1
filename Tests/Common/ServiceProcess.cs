using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.Sockets;

namespace TwitterBot.Tests.Common;

/// <summary>
/// One of our services as its own OS process (what a deployment runs), from a build directory, configured
/// through environment variables, on a loopback port of its own: the benchmarks measure it, the specs kill it
/// with SIGKILL and start it again.
/// </summary>
public sealed class ServiceProcess : IAsyncDisposable
{
    private readonly RunningProcess _process;

    private ServiceProcess(RunningProcess process, Uri baseAddress)
    {
        _process = process;
        BaseAddress = baseAddress;
    }

    /// <summary>
    /// The runtime settings <c>build/Service.Dockerfile</c> gives each service's image, by the service's dll (a spec
    /// checks the two agree), so that what the benchmarks measure and the specs run is the deployed process;
    /// <c>settings</c> may override them.
    /// </summary>
    public static IReadOnlyDictionary<string, IReadOnlyDictionary<string, string>> ImageEnvironment { get; } =
        new Dictionary<string, IReadOnlyDictionary<string, string>>
        {
            ["TwitterBot.Ingress.dll"] = new Dictionary<string, string> { ["DOTNET_GCgen0size"] = "0x1000000" },
            ["TwitterBot.Processor.dll"] = new Dictionary<string, string> { ["DOTNET_GCgen0size"] = "0x400000" },
        };

    public Uri BaseAddress { get; }

    public int Id => _process.Id;

    public bool HasExited => _process.HasExited;

    /// <summary>What the process wrote (its first MiB, secrets masked), for a failing spec's message.</summary>
    public string Output => _process.Output;

    /// <param name="directory">The build (or publish) directory holding <paramref name="dll"/>.</param>
    /// <param name="port">The port to listen on (a restarted service keeps its address); a free one by default.</param>
    public static ServiceProcess Start(
        string directory, string dll, IEnumerable<KeyValuePair<string, string?>> settings, string environment = "Production", string logLevel = "Warning", int? port = null)
    {
        port ??= FreePort();
        var start = new ProcessStartInfo("dotnet", dll) { WorkingDirectory = Path.GetFullPath(directory) };
        foreach (var (key, value) in ImageEnvironment.GetValueOrDefault(dll) ?? new Dictionary<string, string>())
        {
            start.Environment[key] = value;
        }

        start.Environment["ASPNETCORE_ENVIRONMENT"] = environment;
        start.Environment["Urls"] = $"http://127.0.0.1:{port}";
        start.Environment["Logging__LogLevel__Default"] = logLevel;
        return new ServiceProcess(RunningProcess.Start(start, settings), new Uri($"http://127.0.0.1:{port}/"));
    }

    /// <summary>Polls <c>/health/ready</c> until it answers 200; throws when the process exits first or <paramref name="within"/> runs out.</summary>
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
    public Task KillAsync() => _process.KillAsync();

    public ValueTask DisposeAsync() => _process.DisposeAsync();

    /// <summary>
    /// A loopback port free right now, for a service that binds it seconds later and keeps it across restarts. Taken
    /// from above the kernel's ephemeral range, which every bind to port 0 draws from: a port found through port 0
    /// and let go could be handed to a parallel fixture's listener before the service binds it.
    /// </summary>
    public static int FreePort()
    {
        var (first, count) = PortsAboveEphemeral.Value;
        for (var tries = 0; tries < count; tries++)
        {
            var port = first + (int)((uint)Interlocked.Increment(ref _nextPort) % (uint)count);
            try
            {
                using var probe = new TcpListener(IPAddress.Loopback, port);
                probe.Start();
                return port;
            }
            catch (SocketException)
            {
                // taken by something else on this machine: the next one
            }
        }

        throw new InvalidOperationException($"No free loopback port in {first}-{first + count - 1}.");
    }

    private static int _nextPort = Random.Shared.Next(0, 4096);

    private static readonly Lazy<(int First, int Count)> PortsAboveEphemeral = new(() =>
    {
        var last = 60999; // Linux's default end of net.ipv4.ip_local_port_range
        try
        {
            var range = File.ReadAllText("/proc/sys/net/ipv4/ip_local_port_range").Split((char[])['\t', ' ', '\n'], StringSplitOptions.RemoveEmptyEntries);
            last = int.Parse(range[1], CultureInfo.InvariantCulture);
        }
        catch (Exception exception) when (exception is IOException or UnauthorizedAccessException or FormatException or IndexOutOfRangeException)
        {
            // not Linux, or not readable: assume the default
        }

        var first = Math.Min(last + 1, 64512); // at least 1,024 ports
        return (first, 65536 - first);
    });
}
