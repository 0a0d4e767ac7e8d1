using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.Sockets;

namespace TwitterBot.Tests.Support;

/// <summary>
/// The README's run command, <c>build/run.sh</c>, as a newcomer runs it: a shell of its own (its own session and
/// process group, as a terminal would give it) with stdin held open and never written to. It runs this spec
/// run's builds (no build of its own), on free ports, against the given virtual host and database.
/// </summary>
public sealed class RunCommand : IAsyncDisposable
{
    private readonly RunningProcess _process;

    private RunCommand(RunningProcess process, SandboxPorts ports)
    {
        _process = process;
        Ports = ports;
    }

    public SandboxPorts Ports { get; }

    /// <summary>The shell's pid, which leads its process group.</summary>
    public int Id => _process.Id;

    public bool HasExited => _process.HasExited;

    public int ExitCode => _process.ExitCode;

    /// <summary>What the shell and the services wrote, secrets masked.</summary>
    public string Output => _process.Output;

    public static string RepositoryRoot =>
        Path.GetFullPath(Path.Combine(TestContext.CurrentContext.TestDirectory, "..", "..", "..", ".."));

    /// <param name="arguments">The script's own arguments (<c>--legacy</c>, …), after <c>build/run.sh</c>.</param>
    public static RunCommand Start(SandboxPorts ports, string logDirectory, IDictionary<string, string?>? settings = null, IReadOnlyList<string>? arguments = null)
    {
        var tests = new DirectoryInfo(TestContext.CurrentContext.TestDirectory); // Tests/bin/<Configuration>/net10.0
        var start = new ProcessStartInfo("setsid")
        {
            WorkingDirectory = RepositoryRoot,
            RedirectStandardInput = true,
        };
        // A shell cannot trap a signal it was started with ignored (a test runner started in the background
        // passes SIGINT on ignored): reset it, as a terminal's shell would have it.
        foreach (var argument in new[] { "env", "--default-signal=INT", "bash", "build/run.sh" }.Concat(arguments ?? []))
        {
            start.ArgumentList.Add(argument);
        }

        // Nothing of this machine's own environment may move the sandbox's addresses.
        foreach (var key in new[] { "Urls", "ASPNETCORE_URLS", "TwitterBot__Api__WebhookUrl", "TwitterBot__Api__TwitterUrl", "TwitterBot__Api__UploadUrl", "Gateway__Url" })
        {
            start.Environment.Remove(key);
        }

        start.Environment["ASPNETCORE_ENVIRONMENT"] = "Development";
        start.Environment["SANDBOX_INGRESS_PORT"] = ports.Ingress.ToString(CultureInfo.InvariantCulture);
        start.Environment["SANDBOX_PROCESSOR_PORT"] = ports.Processor.ToString(CultureInfo.InvariantCulture);
        start.Environment["SANDBOX_X_PORT"] = ports.X.ToString(CultureInfo.InvariantCulture);
        start.Environment["SANDBOX_GATEWAY_PORT"] = ports.Gateway.ToString(CultureInfo.InvariantCulture);
        start.Environment["SANDBOX_CONFIGURATION"] = tests.Parent!.Name;
        start.Environment["SANDBOX_BUILD"] = "0";
        start.Environment["SANDBOX_LOG_DIR"] = logDirectory;
        return new RunCommand(RunningProcess.Start(start, settings), ports);
    }

    /// <summary>Closes the shell's stdin, as <c>&lt; /dev/null</c> or a script's end would.</summary>
    public void CloseInput() => _process.StandardInput.Close();

    /// <summary>Completes when a line containing <paramref name="marker"/> was written, or the shell exited.</summary>
    public Task<bool> WaitForOutputAsync(string marker, TimeSpan safetyNet) => _process.WaitForOutputAsync(marker, safetyNet);

    /// <summary>Waits for the shell to exit; false when it still runs after <paramref name="safetyNet"/>.</summary>
    public Task<bool> WaitForExitAsync(TimeSpan safetyNet) => _process.WaitForExitAsync(safetyNet);

    /// <summary>What a terminal's Ctrl-C does: SIGINT to every process of the foreground process group.</summary>
    public async Task InterruptAsync()
    {
        using var kill = Process.Start("bash", ["-c", $"kill -INT -- -{OsProcess.Of(Id)!.ProcessGroup}"]);
        await kill.WaitForExitAsync();
    }

    public ValueTask DisposeAsync() => _process.DisposeAsync();
}

/// <summary>The four ports of the sandbox.</summary>
public sealed record SandboxPorts(int Ingress, int Processor, int X, int Gateway)
{
    public IEnumerable<int> All => [Ingress, Processor, X, Gateway];

    /// <summary>Four distinct loopback ports free right now.</summary>
    public static SandboxPorts Free()
    {
        var ports = new HashSet<int>();
        while (ports.Count < 4)
        {
            ports.Add(ServiceProcess.FreePort());
        }

        var list = ports.ToList();
        return new SandboxPorts(list[0], list[1], list[2], list[3]);
    }

    /// <summary>Whether a listener could take the port on loopback right now.</summary>
    public static bool IsFree(int port)
    {
        try
        {
            using var listener = new TcpListener(IPAddress.Loopback, port);
            listener.Start();
            return true;
        }
        catch (SocketException)
        {
            return false;
        }
    }
}

/// <summary>A process as /proc shows it; the start time tells it from a later process that reuses its pid.</summary>
public sealed record OsProcess(int Id, char State, int ParentId, int ProcessGroup, long StartTime, string CommandLine)
{
    public static OsProcess? Of(int id)
    {
        try
        {
            var stat = File.ReadAllText($"/proc/{id}/stat");
            var fields = stat[(stat.LastIndexOf(')') + 2)..].Split(' '); // after "pid (comm) ": state ppid pgrp session …
            var commandLine = File.ReadAllText($"/proc/{id}/cmdline").Replace('\0', ' ').Trim();
            return new OsProcess(id, fields[0][0], Parse(fields[1]), Parse(fields[2]), long.Parse(fields[19], CultureInfo.InvariantCulture), commandLine);
        }
        catch (IOException)
        {
            return null; // gone
        }
        catch (UnauthorizedAccessException)
        {
            return null;
        }
    }

    /// <summary>Still running: neither gone nor a zombie (dead, only not reaped yet).</summary>
    public bool IsAlive => Of(Id) is { State: not 'Z' } now && now.StartTime == StartTime;

    /// <summary>Every process descended from <paramref name="root"/> right now.</summary>
    public static IReadOnlyList<OsProcess> DescendantsOf(int root)
    {
        var all = Directory.EnumerateDirectories("/proc")
            .Select(Path.GetFileName)
            .Where(name => name is not null && name.All(char.IsAsciiDigit))
            .Select(name => Of(int.Parse(name!, CultureInfo.InvariantCulture)))
            .OfType<OsProcess>()
            .ToList();
        var found = new List<OsProcess>();
        var parents = new Queue<int>([root]);
        while (parents.TryDequeue(out var parent))
        {
            foreach (var child in all.Where(p => p.ParentId == parent))
            {
                found.Add(child);
                parents.Enqueue(child.Id);
            }
        }

        return found;
    }

    /// <summary>The local addresses listening on a TCP port, as the kernel lists them (hex, e.g. 0100007F for 127.0.0.1).</summary>
    public static IReadOnlyList<string> ListeningAddresses(int port)
    {
        var suffix = string.Create(CultureInfo.InvariantCulture, $":{port:X4}");
        return new[] { "/proc/net/tcp", "/proc/net/tcp6" }
            .Where(File.Exists)
            .SelectMany(table => File.ReadLines(table).Skip(1))
            .Select(line => line.Split(' ', StringSplitOptions.RemoveEmptyEntries))
            .Where(fields => fields[3] == "0A" && fields[1].EndsWith(suffix, StringComparison.Ordinal))
            .Select(fields => fields[1][..^suffix.Length])
            .ToList();
    }

    private static int Parse(string field) => int.Parse(field, CultureInfo.InvariantCulture);
}
