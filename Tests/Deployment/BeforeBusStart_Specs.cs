using MassTransit;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using TwitterBot.ServiceDefaults;
using TwitterBot.Tests.Common;

namespace TwitterBot.Tests.Deployment;

/// <summary>
/// A service's start: Kestrel answers (X's CRC, the probes) while the work the bus waits for still runs, and the bus
/// starts only once all of it is done. Steps on one server keep their order; steps on different servers run at once.
/// A real host (Kestrel on loopback, MassTransit's in-memory transport) whose steps the spec holds and releases.
/// </summary>
public static class BeforeBusStart_Specs
{
    /// <summary>Long enough for any machine; the specs wait for events, this only bounds a failure.</summary>
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(30);

    public class When_a_step_before_the_bus_is_still_running
    {
        [Test]
        public async Task Should_answer_http_already_and_not_start_the_bus()
        {
            await using var rig = StartRig.Start();
            await rig.Queues.Started.Task.WaitAsync(Patience);

            var answer = await rig.GetAsync();

            Assert.Multiple(() =>
            {
                Assert.That(answer, Is.EqualTo("listening"));
                Assert.That(rig.BusStarted.Task.IsCompleted, Is.False);
                Assert.That(rig.Starting.IsCompleted, Is.False);
            });
        }

        [Test]
        public async Task Should_run_a_step_on_another_server_meanwhile_and_hold_the_next_one_on_its_own()
        {
            await using var rig = StartRig.Start();
            await rig.Queues.Started.Task.WaitAsync(Patience);

            await rig.Tables.Started.Task.WaitAsync(Patience);

            Assert.That(rig.Tokens.Started.Task.IsCompleted, Is.False, "the tokens step ran before the tables step on its server was done");
            rig.Tables.Release.SetResult();
            await rig.Tokens.Started.Task.WaitAsync(Patience);
            Assert.That(rig.BusStarted.Task.IsCompleted, Is.False, "the bus started while the queues step still ran");
        }
    }

    public class When_every_step_is_done
    {
        [Test]
        public async Task Should_start_the_bus_and_the_host()
        {
            await using var rig = StartRig.Start();

            rig.Queues.Release.SetResult();
            rig.Tables.Release.SetResult();
            rig.Tokens.Release.SetResult();

            await rig.BusStarted.Task.WaitAsync(Patience);
            await rig.Starting.WaitAsync(Patience);
            Assert.That(rig.Starting.IsCompletedSuccessfully, Is.True);
        }
    }

    public class When_a_step_fails
    {
        [Test]
        public async Task Should_fail_the_start_with_its_message_and_never_start_the_bus()
        {
            await using var rig = StartRig.Start();

            rig.Queues.Release.SetException(new InvalidOperationException("Queue 'bot-access-revoked' must have x-delivery-limit=5"));
            rig.Tables.Release.SetResult();
            rig.Tokens.Release.SetResult();

            var failure = Assert.ThrowsAsync(Is.InstanceOf<Exception>(), () => rig.Starting.WaitAsync(Patience))!;
            Assert.Multiple(() =>
            {
                Assert.That(failure.ToString(), Does.Contain("Queue 'bot-access-revoked' must have x-delivery-limit=5"));
                Assert.That(rig.BusStarted.Task.IsCompleted, Is.False);
            });
        }
    }

    public class When_a_step_is_also_a_hosted_service
    {
        [Test]
        public async Task Should_be_started_by_the_host_as_the_same_instance()
        {
            var builder = Host.CreateApplicationBuilder();
            builder.Services.AddBeforeBusStart<MaintenanceStep>();
            builder.Services.AddMassTransit(bus => bus.UsingInMemory());
            using var host = builder.Build();
            var step = host.Services.GetRequiredService<MaintenanceStep>();

            await host.StartAsync();
            try
            {
                Assert.That(async () => await step.Maintaining.Task.WaitAsync(Patience), Throws.Nothing);
            }
            finally
            {
                await host.StopAsync();
            }
        }
    }

    /// <summary>A step with a loop that goes on after it, as the stores' maintenance has: registered only as a step.</summary>
    private sealed class MaintenanceStep : BackgroundService, IBeforeBusStart
    {
        public TaskCompletionSource Maintaining { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

        public string Server => IBeforeBusStart.ConversationStore;

        public Task RunAsync(CancellationToken cancellationToken) => Task.CompletedTask;

        protected override async Task ExecuteAsync(CancellationToken stoppingToken)
        {
            await Task.Yield();
            Maintaining.TrySetResult();
        }
    }

    /// <summary>A step that tells when it started and ends when the spec releases it (or fails as the spec says).</summary>
    private abstract class HeldStep(string server) : IBeforeBusStart
    {
        public TaskCompletionSource Started { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

        public TaskCompletionSource Release { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

        public string Server => server;

        public async Task RunAsync(CancellationToken cancellationToken)
        {
            Started.SetResult();
            await Release.Task.WaitAsync(cancellationToken);
        }
    }

    private sealed class QueuesStep() : HeldStep(IBeforeBusStart.RabbitMq);

    private sealed class TablesStep() : HeldStep(IBeforeBusStart.ConversationStore);

    private sealed class TokensStep() : HeldStep(IBeforeBusStart.ConversationStore);

    private sealed class BusStartedObserver(TaskCompletionSource started) : IBusObserver
    {
        public void PostCreate(IBus bus)
        {
        }

        public void CreateFaulted(Exception exception)
        {
        }

        public Task PreStart(IBus bus) => Task.CompletedTask;

        public Task PostStart(IBus bus, Task<BusReady> busReady)
        {
            started.TrySetResult();
            return Task.CompletedTask;
        }

        public Task StartFaulted(IBus bus, Exception exception) => Task.CompletedTask;

        public Task PreStop(IBus bus) => Task.CompletedTask;

        public Task PostStop(IBus bus) => Task.CompletedTask;

        public Task StopFaulted(IBus bus, Exception exception) => Task.CompletedTask;
    }

    /// <summary>One host, started in the background: the steps registered in the order a service registers them.</summary>
    private sealed class StartRig(
        WebApplication app, Uri address, QueuesStep queues, TablesStep tables, TokensStep tokens, TaskCompletionSource busStarted) : IAsyncDisposable
    {
        public QueuesStep Queues => queues;

        public TablesStep Tables => tables;

        public TokensStep Tokens => tokens;

        public TaskCompletionSource BusStarted => busStarted;

        /// <summary>The host's start: it ends when every hosted service has started, the steps included.</summary>
        public Task Starting { get; } = app.StartAsync();

        public static StartRig Start()
        {
            var (queues, tables, tokens) = (new QueuesStep(), new TablesStep(), new TokensStep());
            var busStarted = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
            var address = new Uri($"http://127.0.0.1:{ServiceProcess.FreePort()}/");

            var builder = WebApplication.CreateBuilder();
            builder.WebHost.UseUrls(address.ToString());
            builder.Services.AddSingleton(tables).AddBeforeBusStart<TablesStep>();
            builder.Services.AddSingleton(tokens).AddBeforeBusStart<TokensStep>();
            builder.Services.AddSingleton(queues).AddBeforeBusStart<QueuesStep>();
            builder.Services.AddBusObserver(_ => new BusStartedObserver(busStarted));
            builder.Services.AddMassTransit(bus => bus.UsingInMemory());
            var app = builder.Build();
            app.MapGet("/", () => "listening");
            return new StartRig(app, address, queues, tables, tokens, busStarted);
        }

        /// <summary>GET / as soon as Kestrel accepts the connection.</summary>
        public async Task<string> GetAsync()
        {
            using var client = new HttpClient();
            using var deadline = new CancellationTokenSource(Patience);
            while (true)
            {
                try
                {
                    return await client.GetStringAsync(address, deadline.Token);
                }
                catch (HttpRequestException)
                {
                    await Task.Delay(TimeSpan.FromMilliseconds(10), deadline.Token); // not listening yet
                }
            }
        }

        public async ValueTask DisposeAsync()
        {
            Queues.Release.TrySetResult();
            Tables.Release.TrySetResult();
            Tokens.Release.TrySetResult();
            try
            {
                await Starting.WaitAsync(Patience);
            }
            catch (Exception)
            {
                // a spec's failing step: the start's failure is what that spec checks
            }

            await app.StopAsync();
            await app.DisposeAsync();
        }
    }
}
