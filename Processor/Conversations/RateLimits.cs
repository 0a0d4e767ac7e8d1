using System.Collections.Concurrent;

namespace TwitterBot.Processor.Conversations;

/// <summary>
/// X's rate limit per bot account, shared by every replica through the store and read from it at most once a
/// second per bot: a replica may learn of another's 429 up to a second late, gets a 429 of its own at worst,
/// and then waits like the others. A 429 without a usable reset waits a default that doubles with each
/// consecutive 429 of the bot on this replica, from <see cref="DefaultWait"/> up to <see cref="MaxDefaultWait"/>;
/// 429s that other conversations of the bot met while that wait was already set are the same limit, not
/// consecutive ones.
/// </summary>
public sealed class RateLimits(IBotThrottles store, TimeProvider time)
{
    public static readonly TimeSpan Freshness = TimeSpan.FromSeconds(1);

    /// <summary>The key of the app's own limits (X's <c>x-app-limit-24hour-*</c> window, the suspension): not a user id.</summary>
    public const string AppKey = "app";

    /// <summary>The first wait after a 429 whose <c>x-rate-limit-reset</c> is missing, unparsable or in the past.</summary>
    public static readonly TimeSpan DefaultWait = TimeSpan.FromMinutes(1);

    public static readonly TimeSpan MaxDefaultWait = TimeSpan.FromMinutes(15);

    /// <summary>
    /// X writes the reset in whole epoch seconds, rounded down: a reset of second S ends during S, so it is
    /// waited out until S + 1 and is not "in the past" before then.
    /// </summary>
    public static readonly TimeSpan ResetResolution = TimeSpan.FromSeconds(1);

    private readonly ReadThroughCache<string, DateTimeOffset?> _known = new(Freshness, time);
    private readonly ConcurrentDictionary<string, int> _consecutive = new(StringComparer.Ordinal);

    /// <summary>Until when the bot may not send: the later of its own limit and the app's, if either holds.</summary>
    public async Task<DateTimeOffset?> ResetOfAsync(string botUserId, CancellationToken cancellationToken)
    {
        var now = time.GetUtcNow();
        var bot = await _known.GetAsync(botUserId, store.GetRateLimitResetAsync, cancellationToken);
        var app = await _known.GetAsync(AppKey, store.GetRateLimitResetAsync, cancellationToken);
        var resetsAt = bot > app || app is null ? bot : app;
        return resetsAt > now ? resetsAt : null;
    }

    /// <summary>Until when the app's own window holds every bot back, if it does.</summary>
    public async Task<DateTimeOffset?> AppResetOfAsync(CancellationToken cancellationToken)
    {
        var app = await _known.GetAsync(AppKey, store.GetRateLimitResetAsync, cancellationToken);
        return app > time.GetUtcNow() ? app : null;
    }

    /// <summary>
    /// X's headers on an answer (success or 429) say a window of <paramref name="key"/> (a bot, or <see cref="AppKey"/>)
    /// has nothing left until <paramref name="xResetsAt"/>: nothing is sent for it until then, so no call is wasted on a
    /// certain 429. A reset already past is ignored (the window has turned).
    /// </summary>
    public async Task SpentAsync(string key, DateTimeOffset xResetsAt, CancellationToken cancellationToken)
    {
        var endOfResetSecond = xResetsAt + ResetResolution;
        if (endOfResetSecond <= time.GetUtcNow())
        {
            return;
        }

        await store.SetRateLimitResetAsync(key, endOfResetSecond, cancellationToken);
        if (!_known.TryGetLastKnown(key, out var known) || known is null || known < endOfResetSecond)
        {
            _known.Set(key, endOfResetSecond);
        }
    }

    /// <summary>X answered the bot with 429: records until when it waits (X's reset when usable, else the default backoff) and returns it.</summary>
    public async Task<DateTimeOffset> LimitedAsync(string botUserId, DateTimeOffset? xResetsAt, CancellationToken cancellationToken)
    {
        var now = time.GetUtcNow();
        if (xResetsAt is { } reset && reset + ResetResolution > now)
        {
            var endOfResetSecond = reset + ResetResolution;
            await store.SetRateLimitResetAsync(botUserId, endOfResetSecond, cancellationToken);
            _known.Set(botUserId, endOfResetSecond);
            return endOfResetSecond;
        }

        // Only a 429 met after the last wait ended counts as one more in a row.
        var waiting = _known.TryGetLastKnown(botUserId, out var known) && known > now;
        var consecutive = _consecutive.AddOrUpdate(botUserId, 1, (_, count) => waiting ? count : count + 1);
        var backoffEndsAt = now + Backoff(consecutive);
        var resetsAt = waiting && known > backoffEndsAt ? known!.Value : backoffEndsAt;
        await store.SetRateLimitResetAsync(botUserId, resetsAt, cancellationToken);
        _known.Set(botUserId, resetsAt);
        return resetsAt;
    }

    /// <summary>
    /// What X said was left in one window (of a bot, or of the app) on its last answer, and this replica's sends
    /// to it still unanswered: a send starts only while fewer are in flight than were left, so that concurrent
    /// partitions do not spend calls on a window their own unanswered sends are about to empty.
    /// </summary>
    private sealed class Budget
    {
        public long Remaining { get; set; }

        public DateTimeOffset ResetsAt { get; set; }

        public int InFlight { get; set; }

        public TaskCompletionSource Changed { get; set; } = new(TaskCreationOptions.RunContinuationsAsynchronously);
    }

    private readonly ConcurrentDictionary<(string Key, string Window), Budget> _budgets = new();

    /// <summary>X's answer to a send of <paramref name="key"/> (a bot, or <see cref="AppKey"/>) left <paramref name="remaining"/> in a window.</summary>
    public void Left(string key, string window, long remaining, DateTimeOffset xResetsAt)
    {
        var budget = _budgets.GetOrAdd((key, window), _ => new Budget());
        var resetsAt = xResetsAt + ResetResolution;
        lock (budget)
        {
            // Answers may arrive out of order: within one window, the least left is the latest.
            budget.Remaining = budget.ResetsAt == resetsAt ? Math.Min(budget.Remaining, remaining) : remaining;
            budget.ResetsAt = resetsAt;
            Signal(budget);
        }
    }

    /// <summary>
    /// Waits until a send of the bot may start without overrunning what X last said was left (counting this
    /// replica's sends in flight), and counts it in flight until the lease is disposed (after its answer was read).
    /// </summary>
    public async Task<IDisposable> TakeSendAsync(string botUserId, CancellationToken cancellationToken)
    {
        var budgets = _budgets.IsEmpty ? [] : _budgets.Where(b => b.Key.Key == botUserId || b.Key.Key == AppKey).Select(b => b.Value).ToList();
        while (true)
        {
            Task? changed = null;
            var wait = TimeSpan.Zero;
            var now = time.GetUtcNow();
            foreach (var budget in budgets)
            {
                lock (budget)
                {
                    if (budget.ResetsAt > now && budget.InFlight >= budget.Remaining)
                    {
                        changed = budget.Changed.Task;
                        wait = budget.ResetsAt - now;
                        break;
                    }
                }
            }

            if (changed is null)
            {
                foreach (var budget in budgets)
                {
                    lock (budget)
                    {
                        budget.InFlight++;
                    }
                }

                return new SendLease(budgets);
            }

            try
            {
                await changed.WaitAsync(wait, time, cancellationToken);
            }
            catch (TimeoutException)
            {
                // The window reset meanwhile.
            }
        }
    }

    private static void Signal(Budget budget)
    {
        var changed = budget.Changed;
        budget.Changed = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        changed.TrySetResult();
    }

    private sealed class SendLease(List<Budget> budgets) : IDisposable
    {
        private int _disposed;

        public void Dispose()
        {
            if (Interlocked.Exchange(ref _disposed, 1) != 0)
            {
                return;
            }

            foreach (var budget in budgets)
            {
                lock (budget)
                {
                    budget.InFlight--;
                    Signal(budget);
                }
            }
        }
    }

    /// <summary>A DM of the bot went through: the next 429 starts the default backoff over.</summary>
    public void Sent(string botUserId)
    {
        if (!_consecutive.IsEmpty)
        {
            _consecutive.TryRemove(botUserId, out _);
        }
    }

    private static TimeSpan Backoff(int consecutive) =>
        TimeSpan.FromTicks(Math.Min(MaxDefaultWait.Ticks, DefaultWait.Ticks << Math.Min(consecutive - 1, 10)));
}
