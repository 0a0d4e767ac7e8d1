using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Npgsql;
using TwitterBot.Processor.Clients.X;
using TwitterBot.Processor.Conversations;
using TwitterBot.Processor.Options;
using TwitterBot.Processor.Quota;
using TwitterBot.Tests.Support;

namespace TwitterBot.Tests.Integration;

/// <summary>Two Processor replicas' quota state over one PostgreSQL store, on one manual clock.</summary>
[Category("Integration")]
public sealed class When_two_replicas_share_the_quota_store
{
    private const string Bot = "4337869213";
    private static readonly TimeSpan ProbeInterval = TimeSpan.FromMinutes(5);

    private PostgresDatabase _database = null!;
    private NpgsqlDataSource _source = null!;
    private ServiceProvider _services = null!;
    private readonly ManualTime _time = new();
    private readonly CapturedLogs _logs = new();

    [SetUp]
    public async Task StartAsync()
    {
        _database = await PostgresDatabase.CreateAsync();
        _source = NpgsqlDataSource.Create(_database.ConnectionString);
        await new PostgresConversationStorage(_source, Microsoft.Extensions.Options.Options.Create(new ServiceDefaults.RabbitMqOptions())).EnsureSchemaAsync(CancellationToken.None);
        _services = new ServiceCollection().AddMetrics().BuildServiceProvider();
    }

    [TearDown]
    public async Task StopAsync()
    {
        await _services.DisposeAsync();
        await _source.DisposeAsync();
        await _database.DisposeAsync();
    }

    private (SendingQuota Quota, RateLimits Limits) Replica()
    {
        var store = new PostgresBotThrottles(_source, _time);
        var limits = new RateLimits(store, _time);
        var options = Microsoft.Extensions.Options.Options.Create(new ProcessorOptions { Replies = { OutOfCreditsProbeInterval = ProbeInterval } });
        var telemetry = new ProcessorTelemetry(_services.GetRequiredService<System.Diagnostics.Metrics.IMeterFactory>(), new ConfigurationBuilder().Build());
        return (new SendingQuota(store, limits, options, telemetry, _time, new LoggerFactory([_logs]).CreateLogger<SendingQuota>()), limits);
    }

    private static XApiException OutOfCredits() => new(402, [new XApiError(0, "Your enrolled account does not have any credits to fulfill this request.")], null);

    [Test]
    public async Task Should_hold_every_replica_let_one_probe_through_and_resume_all_with_one_error_log()
    {
        var (first, _) = Replica();
        var (second, _) = Replica();

        await first.OutOfCreditsAsync(OutOfCredits(), CancellationToken.None);
        await second.OutOfCreditsAsync(OutOfCredits(), CancellationToken.None);
        var heldBeforeTheProbe = Assert.ThrowsAsync<SendingSuspendedException>(() => second.WaitUntilMaySendAsync(_time.GetUtcNow(), CancellationToken.None));
        var probedEarly = await first.TryClaimProbeAsync(CancellationToken.None);

        _time.Advance(ProbeInterval);
        var firstProbes = await first.TryClaimProbeAsync(CancellationToken.None);
        var secondProbes = await second.TryClaimProbeAsync(CancellationToken.None);
        var secondHeld = Assert.ThrowsAsync<SendingSuspendedException>(() => second.WaitUntilMaySendAsync(_time.GetUtcNow(), CancellationToken.None));

        await first.ProbeAcceptedAsync(CancellationToken.None);
        _time.Advance(TimeSpan.FromSeconds(1)); // what each replica read is kept a second
        Assert.DoesNotThrowAsync(() => second.WaitUntilMaySendAsync(_time.GetUtcNow(), CancellationToken.None), "the second replica sends again");
        var probesAfter = await second.TryClaimProbeAsync(CancellationToken.None);

        Assert.Multiple(() =>
        {
            Assert.That(heldBeforeTheProbe, Is.Not.Null, "the other replica holds its sends back too");
            Assert.That(probedEarly, Is.False, "no probe before the interval");
            Assert.That(firstProbes, Is.True, "one replica takes the probe when it is due");
            Assert.That(secondProbes, Is.False, "only one replica takes that probe");
            Assert.That(secondHeld, Is.Not.Null, "a due probe lets no send through: the probe asks X without a message");
            Assert.That(probesAfter, Is.False, "nothing to probe once the suspension is over");
            Assert.That(_logs.Messages(LogLevel.Error).Count(m => m.Contains("top up the app's credits", StringComparison.Ordinal)), Is.EqualTo(1), "one error log for the deployment");
            Assert.That(_logs.Messages(LogLevel.Information).Count(m => m.Contains("accepts the app's sends again", StringComparison.Ordinal)), Is.EqualTo(1));
        });
    }

    [Test]
    public async Task Should_hold_the_other_replica_back_until_a_spent_window_resets()
    {
        var (first, _) = Replica();
        var (_, secondLimits) = Replica();
        var reset = DateTimeOffset.FromUnixTimeSeconds(_time.GetUtcNow().AddMinutes(10).ToUnixTimeSeconds());

        await first.ObservedAsync(Bot, new XQuota(new XQuotaWindow(XQuota.UserWindow, 15, 0, reset), null, null), CancellationToken.None);
        var held = await secondLimits.ResetOfAsync(Bot, CancellationToken.None);
        _time.Advance(reset + RateLimits.ResetResolution - _time.GetUtcNow());
        var after = await secondLimits.ResetOfAsync(Bot, CancellationToken.None);

        Assert.Multiple(() =>
        {
            Assert.That(held, Is.EqualTo(reset + RateLimits.ResetResolution), "a success that left nothing holds every replica until the reset second is over");
            Assert.That(after, Is.Null);
        });
    }

    [Test]
    public async Task Should_hold_every_bot_back_while_the_apps_window_is_spent()
    {
        var (first, _) = Replica();
        var (_, secondLimits) = Replica();
        var reset = DateTimeOffset.FromUnixTimeSeconds(_time.GetUtcNow().AddHours(3).ToUnixTimeSeconds());

        await first.ObservedAsync(Bot, new XQuota(new XQuotaWindow(XQuota.UserWindow, 15, 9, reset), new XQuotaWindow(XQuota.App24HourWindow, 1440, 0, reset), null), CancellationToken.None);

        Assert.That(await secondLimits.ResetOfAsync("1111111111", CancellationToken.None), Is.EqualTo(reset + RateLimits.ResetResolution));
    }
}
