using System.Net;
using System.Net.Sockets;
using TwitterBot.Tests.Support;

namespace TwitterBot.Tests.Deployment;

/// <summary>
/// <c>build/run.sh</c> as a newcomer meets it: a taken port fails it at once, naming the port and its holder;
/// everything listens on loopback; Ctrl-C stops everything it started. On free ports (the script's
/// <c>SANDBOX_*_PORT</c> variables), so a developer's own sandbox on 5756–5761 may keep running. They run the
/// script (one of them the whole sandbox), hence one at a time. The whole sandbox runs twice: as the README's command
/// runs it (XChat), and in legacy mode by its flag (<c>build/run.sh --legacy</c>); the mode's other spelling,
/// <c>SANDBOX_MODE</c>, is checked where it costs nothing (an unknown mode fails before anything starts).
/// </summary>
public static class RunCommand_Specs
{
    [Category("Sandbox")]
    [NonParallelizable]
    public class When_a_port_it_needs_is_taken
    {
        [TestCase("Ingress")]
        [TestCase("Processor")]
        [TestCase("X simulator")]
        [TestCase("demo gateway")]
        public async Task Should_fail_at_once_naming_the_port_and_what_holds_it(string taken)
        {
            using var holder = new TcpListener(IPAddress.Loopback, 0);
            holder.Start();
            var port = ((IPEndPoint)holder.LocalEndpoint).Port;
            var free = SandboxPorts.Free();
            var ports = taken switch
            {
                "Ingress" => free with { Ingress = port },
                "Processor" => free with { Processor = port },
                "X simulator" => free with { X = port },
                _ => free with { Gateway = port },
            };

            await using var run = RunCommand.Start(ports, Path.Combine(Path.GetTempPath(), $"sandbox-{Guid.NewGuid():N}"));
            run.CloseInput();
            var exited = await run.WaitForExitAsync(TimeSpan.FromMinutes(1));

            Assert.That(exited, Is.True, $"run.sh was still running a minute after it started:\n{run.Output}");
            Assert.That(run.ExitCode, Is.Not.Zero, run.Output);
            Assert.That(run.Output, Does.Contain($"port {port} is already in use by ").And.Contain($"(pid {Environment.ProcessId})").And.Contain($"the {taken} needs it"));
            Assert.That(run.Output, Does.Not.Contain("==>"), "nothing is started or built before the ports are checked");
        }
    }

    [Category("Sandbox")]
    [NonParallelizable]
    public class When_it_is_asked_for_a_mode_it_does_not_know
    {
        [TestCase("--xchatt", null, "usage: build/run.sh [--xchat (default) | --xaa | --legacy]")]
        [TestCase(null, "legacyy", "error: SANDBOX_MODE is 'legacyy'; it is xchat, xaa or legacy")]
        public async Task Should_fail_at_once_saying_which_modes_there_are(string? flag, string? sandboxMode, string expected)
        {
            var settings = new Dictionary<string, string?>(StringComparer.Ordinal);
            if (sandboxMode is not null)
            {
                settings["SANDBOX_MODE"] = sandboxMode;
            }

            await using var run = RunCommand.Start(SandboxPorts.Free(), Path.Combine(Path.GetTempPath(), $"sandbox-{Guid.NewGuid():N}"), settings,
                flag is null ? [] : [flag]);
            run.CloseInput();
            var exited = await run.WaitForExitAsync(TimeSpan.FromMinutes(1));

            Assert.That(exited, Is.True, $"run.sh was still running a minute after it started:\n{run.Output}");
            Assert.That(run.ExitCode, Is.EqualTo(2), run.Output);
            Assert.That(run.Output, Does.Contain(expected));
            Assert.That(run.Output, Does.Not.Contain("==>"), "nothing is started or built");
        }
    }

    [Category("Sandbox")]
    [NonParallelizable]
    [TestFixture("")]
    [TestFixture("legacy")]
    public class When_it_runs_and_Ctrl_C_is_pressed(string mode)
    {
        private RabbitMqVirtualHost? _broker;
        private PostgresDatabase? _database;
        private string _logs = "";
        private RunCommand _run = null!;
        private IReadOnlyList<OsProcess> _started = [];

        [OneTimeSetUp]
        public async Task Start_the_sandbox_and_chat()
        {
            _broker = await RabbitMqVirtualHost.CreateAsync();
            _database = await PostgresDatabase.CreateAsync();
            _logs = Directory.CreateTempSubdirectory("sandbox-").FullName;
            var settings = new Dictionary<string, string?>(StringComparer.Ordinal)
            {
                ["Messaging:Rabbit:Hosts:0"] = RabbitMqVirtualHost.AmqpNode,
                ["Messaging:Rabbit:VirtualHost"] = _broker.Name,
                ["Processor:Store:ConnectionString"] = _database.ConnectionString,
            };
            // As the README says it: the mode by its flag.
            _run = RunCommand.Start(SandboxPorts.Free(), _logs, settings, mode.Length > 0 ? [$"--{mode}"] : []);

            // The chat prompt: the services are up, the Processor has registered its webhook with the simulator.
            var chatting = await _run.WaitForOutputAsync("Chat as @sandbox_user", TimeSpan.FromMinutes(3));
            Assert.That(chatting, Is.True, $"run.sh never offered the chat:\n{_run.Output}\n{Logs()}");
            _started = OsProcess.DescendantsOf(_run.Id);
            Assert.That(_started.Select(p => p.CommandLine), Has.Some.EndsWith("TwitterBot.Ingress.dll")
                .And.Some.EndsWith("TwitterBot.Processor.dll").And.Some.EndsWith("TwitterBot.Sandbox.dll"), _run.Output);
        }

        [OneTimeTearDown]
        public async Task Stop_whatever_is_left()
        {
            // A failed spec must not leave services running: they lead sessions of their own, so kill them one by one.
            foreach (var process in _started.Where(p => p.IsAlive))
            {
                try
                {
                    using var leftover = System.Diagnostics.Process.GetProcessById(process.Id);
                    leftover.Kill(entireProcessTree: true);
                }
                catch (ArgumentException)
                {
                    // gone meanwhile
                }
            }

            if (_run is not null)
            {
                await _run.DisposeAsync();
            }

            if (_database is not null)
            {
                await _database.DisposeAsync();
            }

            if (_broker is not null)
            {
                await _broker.DisposeAsync();
            }

            if (_logs.Length > 0)
            {
                Directory.Delete(_logs, recursive: true);
            }
        }

        [Test, Order(0)]
        public void Should_chat_over_XChat_by_default_and_over_legacy_DMs_in_legacy_mode()
        {
            if (mode == "legacy")
            {
                Assert.That(_run.Output, Does.Contain("registered through X's CRC challenge, bot").And.Contain("subscribed.")
                    .And.Not.Contain("over XChat").And.Not.Contain("chat.received"), "the Account Activity API's webhook and subscription, legacy DMs");
            }
            else
            {
                Assert.That(_run.Output, Does.Contain("X Activity API: webhook").And.Contain("chat.received (")
                    .And.Contain("Chat as @sandbox_user over XChat, conversation "), "the Processor subscribed the bot to XChat and the user is an XChat user");
            }
        }

        [Test, Order(1)]
        public async Task Should_listen_on_loopback_only()
        {
            foreach (var port in _run.Ports.All)
            {
                // The chat may open before a service has bound its port (hosted services start before Kestrel).
                using var patience = new CancellationTokenSource(TimeSpan.FromMinutes(1));
                while (OsProcess.ListeningAddresses(port).Count == 0 && !patience.IsCancellationRequested)
                {
                    await Task.Delay(100, CancellationToken.None);
                }

                Assert.That(OsProcess.ListeningAddresses(port), Is.Not.Empty.And.All.EqualTo("0100007F"), $"port {port} listens on loopback only");
            }
        }

        [Test, Order(2)]
        public async Task Should_stop_everything_it_started_and_free_its_ports()
        {
            await _run.InterruptAsync();
            // run.sh gives its services SANDBOX_STOP_TIMEOUT (10 s) before it kills them: "within seconds" is that, plus a margin.
            var exited = await _run.WaitForExitAsync(TimeSpan.FromSeconds(30));

            Assert.That(exited, Is.True, $"run.sh was still running 30 s after Ctrl-C:\n{_run.Output}");
            Assert.That(_started.Where(p => p.IsAlive).Select(p => $"{p.Id} {p.CommandLine}"), Is.Empty, _run.Output);
            Assert.That(_run.Ports.All.Where(port => !SandboxPorts.IsFree(port)), Is.Empty);
            Assert.That(_run.ExitCode, Is.EqualTo(130), _run.Output);
        }

        private string Logs() =>
            string.Join('\n', Directory.EnumerateFiles(_logs).Select(log => $"--- {Path.GetFileName(log)}\n{string.Join('\n', File.ReadLines(log).TakeLast(30))}"));
    }
}
