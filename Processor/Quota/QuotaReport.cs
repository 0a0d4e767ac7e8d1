using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Options;
using Npgsql;
using TwitterBot.Processor.Conversations;
using TwitterBot.Processor.Options;
using TwitterBot.Processor.XAccount;

namespace TwitterBot.Processor.Quota;

/// <summary>
/// <c>doctor</c>'s money and quota lines, read from the shared store the Processor's replicas write: the app's
/// suspension (X refusing it for money), and the last windows X reported for each bot.
/// </summary>
public sealed class QuotaReport(IBotThrottles? store, TimeProvider time)
{
    public async Task<IReadOnlyList<DoctorCheck>> ChecksAsync(CancellationToken cancellationToken)
    {
        if (store is null)
        {
            return [new("Quota", CheckOutcome.Ok, "Processor:Store:Kind is InMemory: the quota is the running service's own, not visible to this command.")];
        }

        AppSuspension? suspension;
        IReadOnlyList<KnownQuota> known;
        try
        {
            suspension = await store.SuspensionAsync(cancellationToken);
            known = await store.KnownQuotaAsync(cancellationToken);
        }
        catch (PostgresException failure) when (failure.SqlState == PostgresErrorCodes.UndefinedTable)
        {
            return [new("Quota", CheckOutcome.Ok, "Nothing recorded yet: no Processor has run against this store.")];
        }
        catch (NpgsqlException failure)
        {
            return [new("Quota", CheckOutcome.Warning, $"The conversation store could not be read ({failure.Message}), so the last known quota is not shown.",
                "Check Processor:Store:ConnectionString and that PostgreSQL runs.")];
        }

        var now = time.GetUtcNow();
        var checks = new List<DoctorCheck>
        {
            suspension is { } s
                ? new("App sending", CheckOutcome.Failed,
                    $"{s.Reason} (since {s.Since:O}): no replica sends DMs; messages wait in RabbitMQ. Next probe at {s.NextProbeAt:O}.",
                    "Top up the app's credits, or raise its spending limit, in the X Developer Console (console.x.com); sending resumes by itself at the next probe.")
                : new("App sending", CheckOutcome.Ok, "X is not refusing the app for money."),
        };
        foreach (var bot in known.GroupBy(q => q.BotUserId))
        {
            var spent = bot.Where(w => w.Remaining <= 0 && w.ResetsAt > now).ToList();
            var windows = string.Join("; ", bot.Select(w => $"{w.Window} {w.Remaining} of {w.Limit} left, resets {w.ResetsAt:O}"));
            var seen = bot.Max(w => w.ObservedAt);
            checks.Add(spent.Count > 0
                ? new($"Bot {bot.Key} quota", CheckOutcome.Warning, $"{windows} (as X reported at {seen:O}).",
                    $"Spent until {spent.Max(w => w.ResetsAt):O}: its replies wait in RabbitMQ until then. A window spent every day needs a higher X plan, or fewer replies.")
                : new($"Bot {bot.Key} quota", CheckOutcome.Ok, $"{windows} (as X reported at {seen:O})."));
        }

        return checks;
    }
}

public static class QuotaReportExtensions
{
    /// <summary>The store <c>doctor</c> reads the quota from: the PostgreSQL one (an in-memory store is the service's own, unseen from here).</summary>
    public static IHostApplicationBuilder AddQuotaReport(this IHostApplicationBuilder builder)
    {
        builder.Services.TryAddSingleton(TimeProvider.System);
        builder.Services.TryAddSingleton(services => NpgsqlDataSource.Create(services.GetRequiredService<IOptions<ProcessorOptions>>().Value.Store.ConnectionString!));
        builder.Services.AddSingleton(services => services.GetRequiredService<IOptions<ProcessorOptions>>().Value.Store.Kind == ConversationStoreOptions.Postgres
            ? new QuotaReport(new PostgresBotThrottles(services.GetRequiredService<NpgsqlDataSource>(), services.GetRequiredService<TimeProvider>()), services.GetRequiredService<TimeProvider>())
            : new QuotaReport(null, services.GetRequiredService<TimeProvider>()));
        return builder;
    }
}
