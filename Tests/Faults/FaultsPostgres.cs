using System.Diagnostics;
using System.Globalization;
using Npgsql;
using TwitterBot.Tests.Support;

namespace TwitterBot.Tests.Faults;

/// <summary>
/// The fault suite's own PostgreSQL server: a disposable cluster started by <c>build/lib/postgres.sh</c>
/// (<c>faults_postgres_*</c>) on <c>FAULTS_POSTGRES_PORT</c> (<c>build/lib/ports.sh</c>), which a spec may stop,
/// crash and start again under a running Processor. The shared server every other spec uses is never touched.
/// </summary>
public sealed class FaultsPostgres : IAsyncDisposable
{
    private static readonly TimeSpan ScriptPatience = TimeSpan.FromSeconds(120);

    private readonly string _directory;

    private FaultsPostgres(string directory, int port)
    {
        _directory = directory;
        Port = port;
    }

    public int Port { get; }

    /// <summary>The role and database the script creates (POSTGRES_ROLE's default), on loopback; the cluster trusts its loopback clients.</summary>
    public string ConnectionString => new NpgsqlConnectionStringBuilder
    {
        Host = "127.0.0.1",
        Port = Port,
        Username = "twitterbot",
        Database = "twitterbot",
    }.ConnectionString;

    public static async Task<FaultsPostgres> StartAsync()
    {
        var directory = Path.Combine(Path.GetTempPath(), $"twitterbot-faults-postgres-{Guid.NewGuid():N}");
        var output = await RunAsync("start", directory);
        var port = output.Split('\n').Select(line => line.Trim()).LastOrDefault(line => line.StartsWith("port=", StringComparison.Ordinal))
            ?? throw new InvalidOperationException($"faults_postgres_start named no port:\n{output}");
        return new FaultsPostgres(directory, int.Parse(port["port=".Length..], CultureInfo.InvariantCulture));
    }

    /// <summary><c>pg_ctl stop -m <paramref name="mode"/></c>: <c>fast</c> ends every session cleanly, <c>immediate</c> is a crash.</summary>
    public Task StopAsync(string mode) => RunAsync("stop", _directory, mode);

    /// <summary>Starts the stopped cluster again on its port, with its data (after an immediate stop, from the WAL).</summary>
    public Task ResumeAsync() => RunAsync("resume", _directory);

    public async ValueTask DisposeAsync() => await RunAsync("remove", _directory);

    private static async Task<string> RunAsync(string function, params string[] arguments)
    {
        var start = new ProcessStartInfo("bash") { WorkingDirectory = RunCommand.RepositoryRoot };
        start.ArgumentList.Add("-c");
        start.ArgumentList.Add($"source build/lib/rabbitmq.sh && source build/lib/postgres.sh && faults_postgres_{function} \"$@\"");
        start.ArgumentList.Add($"faults_postgres_{function}");
        foreach (var argument in arguments)
        {
            start.ArgumentList.Add(argument);
        }

        await using var script = RunningProcess.Start(start);
        if (!await script.WaitForExitAsync(ScriptPatience))
        {
            throw new TimeoutException($"faults_postgres_{function} did not finish within {ScriptPatience}:\n{script.Output}");
        }

        if (script.ExitCode != 0)
        {
            throw new InvalidOperationException($"faults_postgres_{function} failed ({script.ExitCode}):\n{script.Output}");
        }

        return script.Output;
    }
}
