using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using System.Text;

namespace TwitterBot.Tests.Support;

/// <summary>
/// The real Processor as its own OS process (what a deployment runs), configured through environment
/// variables, so that a spec can kill it with SIGKILL and start it again.
/// </summary>
public sealed class ProcessorProcess : IAsyncDisposable
{
    private readonly Process _process;
    private readonly StringBuilder _output = new();
    private readonly Uri _health;

    private ProcessorProcess(Process process, Uri health)
    {
        _process = process;
        _health = health;
    }

    /// <summary>What the process wrote, for a failing spec's message.</summary>
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

    public static ProcessorProcess Start(IDictionary<string, string?> settings)
    {
        var testDirectory = new DirectoryInfo(TestContext.CurrentContext.TestDirectory);
        var configuration = testDirectory.Parent!.Name; // Tests/bin/<Configuration>/net10.0
        var directory = Path.GetFullPath(Path.Combine(testDirectory.FullName, "..", "..", "..", "..", "Processor", "bin", configuration, testDirectory.Name));
        var port = FreePort();

        var start = new ProcessStartInfo("dotnet", "TwitterBot.Processor.dll")
        {
            WorkingDirectory = directory,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        foreach (var (key, value) in settings)
        {
            start.Environment[key.Replace(":", "__", StringComparison.Ordinal)] = value;
        }

        start.Environment["ASPNETCORE_ENVIRONMENT"] = "Testing";
        start.Environment["Urls"] = $"http://127.0.0.1:{port}";

        var process = new Process { StartInfo = start };
        var started = new ProcessorProcess(process, new Uri($"http://127.0.0.1:{port}/health/ready"));
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
                throw new InvalidOperationException($"The Processor exited with {_process.ExitCode}:\n{Output}");
            }

            try
            {
                using var response = await client.GetAsync(_health, timeout.Token);
                if (response.StatusCode == HttpStatusCode.OK)
                {
                    return;
                }
            }
            catch (HttpRequestException)
            {
                // Not listening yet.
            }

            await Task.Delay(TimeSpan.FromMilliseconds(200), timeout.Token);
        }
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
        if (line is null)
        {
            return;
        }

        lock (_output)
        {
            _output.AppendLine(line);
        }
    }

    private static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }
}
