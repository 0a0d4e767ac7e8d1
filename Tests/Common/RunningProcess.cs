using System.Diagnostics;
using System.Text;

namespace TwitterBot.Tests.Common;

/// <summary>
/// A child process of a spec or a benchmark: configured through environment variables (.NET keys, <c>:</c>
/// written as <c>__</c>), its stdout and stderr captured for a failing spec's message with every secret it
/// was given masked, waited on by what it writes or by its exit, and killed with SIGKILL (its whole tree).
/// </summary>
public sealed class RunningProcess : IAsyncDisposable
{
    /// <summary>What stands in the captured output for a secret the process was given.</summary>
    public const string Mask = "***";

    private const int MaxOutput = 1 << 20;

    private readonly Process _process;
    private readonly IReadOnlyList<string> _secrets;
    private readonly StringBuilder _output = new();
    private readonly List<(string Marker, TaskCompletionSource Seen)> _awaited = [];

    private RunningProcess(Process process, IReadOnlyList<string> secrets)
    {
        _process = process;
        _secrets = secrets;
    }

    public int Id => _process.Id;

    public bool HasExited => _process.HasExited;

    public int ExitCode => _process.ExitCode;

    /// <summary>What the process wrote (its first MiB), secrets masked.</summary>
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

    public StreamWriter StandardInput => _process.StandardInput;

    /// <summary>
    /// Starts <paramref name="start"/> with <paramref name="settings"/> in its environment. The value of every
    /// setting whose key names a secret (see <see cref="IsSecret"/>) never appears in <see cref="Output"/>.
    /// </summary>
    public static RunningProcess Start(ProcessStartInfo start, IEnumerable<KeyValuePair<string, string?>>? settings = null)
    {
        var secrets = new List<string>();
        foreach (var (key, value) in settings ?? [])
        {
            start.Environment[key.Replace(":", "__", StringComparison.Ordinal)] = value;
            if (IsSecret(key) && !string.IsNullOrEmpty(value))
            {
                secrets.Add(value);
            }
        }

        start.UseShellExecute = false;
        start.RedirectStandardOutput = true;
        start.RedirectStandardError = true;

        // The longest first, so that a secret containing another is masked whole.
        var running = new RunningProcess(new Process { StartInfo = start }, [.. secrets.Distinct(StringComparer.Ordinal).OrderByDescending(s => s.Length)]);
        running._process.OutputDataReceived += (_, line) => running.Append(line.Data);
        running._process.ErrorDataReceived += (_, line) => running.Append(line.Data);
        running._process.Start();
        running._process.BeginOutputReadLine();
        running._process.BeginErrorReadLine();
        return running;
    }

    /// <summary>Keys whose values are credentials: secrets, tokens, passwords, connection strings.</summary>
    public static bool IsSecret(string key)
    {
        var name = key.Replace("__", ":", StringComparison.Ordinal).Split(':')[^1];
        return name.EndsWith("Secret", StringComparison.OrdinalIgnoreCase)
            || name.EndsWith("Token", StringComparison.OrdinalIgnoreCase)
            || name.EndsWith("Password", StringComparison.OrdinalIgnoreCase)
            || name.EndsWith("ConnectionString", StringComparison.OrdinalIgnoreCase)
            || key.StartsWith("ConnectionStrings", StringComparison.OrdinalIgnoreCase);
    }

    /// <summary>Completes when a line containing <paramref name="marker"/> was written (true), or the process exited or the safety net ran out (false).</summary>
    public async Task<bool> WaitForOutputAsync(string marker, TimeSpan safetyNet)
    {
        var seen = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        lock (_output)
        {
            if (_output.ToString().Contains(marker, StringComparison.Ordinal))
            {
                return true;
            }

            _awaited.Add((marker, seen));
        }

        using var timeout = new CancellationTokenSource(safetyNet);
        var exited = _process.WaitForExitAsync(timeout.Token);
        await Task.WhenAny(seen.Task, exited);
        return seen.Task.IsCompleted;
    }

    /// <summary>Waits for the process to exit; false when it still runs after <paramref name="safetyNet"/>.</summary>
    public async Task<bool> WaitForExitAsync(TimeSpan safetyNet)
    {
        using var timeout = new CancellationTokenSource(safetyNet);
        try
        {
            await _process.WaitForExitAsync(timeout.Token);
            return true;
        }
        catch (OperationCanceledException)
        {
            return false;
        }
    }

    /// <summary>SIGKILL to the process and its descendants: no shutdown, no acknowledgement, like a crashed container.</summary>
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

        foreach (var secret in _secrets)
        {
            line = line.Replace(secret, Mask, StringComparison.Ordinal);
        }

        lock (_output)
        {
            if (_output.Length < MaxOutput)
            {
                _output.AppendLine(line);
            }

            foreach (var awaited in _awaited.Where(a => line.Contains(a.Marker, StringComparison.Ordinal)).ToList())
            {
                awaited.Seen.TrySetResult();
                _awaited.Remove(awaited);
            }
        }
    }
}
