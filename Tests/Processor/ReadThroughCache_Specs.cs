using TwitterBot.Processor.Conversations;
using TwitterBot.Tests.Support;

namespace TwitterBot.Tests.Processor;

/// <summary>The read-through cache RateLimits and BotAccess keep in front of the shared store.</summary>
public static class ReadThroughCache_Specs
{
    private static readonly TimeSpan Freshness = TimeSpan.FromSeconds(1);

    private sealed class Store
    {
        public Dictionary<string, int> Values { get; } = [];

        public List<string> Reads { get; } = [];

        public Task<int> ReadAsync(string key, CancellationToken cancellationToken)
        {
            Reads.Add(key);
            return Task.FromResult(Values.GetValueOrDefault(key));
        }
    }

    public class When_a_value_is_read
    {
        [Test]
        public async Task Should_read_the_store_once_while_it_is_fresh_and_again_once_it_is_not()
        {
            var time = new ManualTime();
            var cache = new ReadThroughCache<string, int>(Freshness, time);
            var store = new Store { Values = { ["a"] = 1 } };

            var first = await cache.GetAsync("a", store.ReadAsync, CancellationToken.None);
            store.Values["a"] = 2;
            time.Advance(Freshness - TimeSpan.FromTicks(1));
            var stillFresh = await cache.GetAsync("a", store.ReadAsync, CancellationToken.None);
            time.Advance(TimeSpan.FromTicks(1));
            var readAgain = await cache.GetAsync("a", store.ReadAsync, CancellationToken.None);

            Assert.Multiple(() =>
            {
                Assert.That(new[] { first, stillFresh, readAgain }, Is.EqualTo(new[] { 1, 1, 2 }));
                Assert.That(store.Reads, Is.EqualTo(new[] { "a", "a" }));
            });
        }

        [Test]
        public async Task Should_keep_each_key_apart()
        {
            var cache = new ReadThroughCache<string, int>(Freshness, new ManualTime());
            var store = new Store { Values = { ["a"] = 1, ["b"] = 2 } };

            var values = new[] { await cache.GetAsync("a", store.ReadAsync, CancellationToken.None), await cache.GetAsync("b", store.ReadAsync, CancellationToken.None) };

            Assert.That(values, Is.EqualTo(new[] { 1, 2 }));
        }
    }

    public class When_this_replica_writes_a_value
    {
        [Test]
        public async Task Should_know_it_at_once_without_reading_until_it_is_old()
        {
            var time = new ManualTime();
            var cache = new ReadThroughCache<string, int>(Freshness, time);
            var store = new Store { Values = { ["a"] = 1 } };
            await cache.GetAsync("a", store.ReadAsync, CancellationToken.None);
            time.Advance(Freshness / 2);

            cache.Set("a", 5);
            time.Advance(Freshness / 2);
            var written = await cache.GetAsync("a", store.ReadAsync, CancellationToken.None);
            time.Advance(Freshness);
            var readBack = await cache.GetAsync("a", store.ReadAsync, CancellationToken.None);

            Assert.Multiple(() =>
            {
                Assert.That((written, readBack), Is.EqualTo((5, 1)), "the store's value, once the written one is old");
                Assert.That(store.Reads, Has.Count.EqualTo(2));
            });
        }

        [Test]
        public async Task Should_give_the_last_known_value_however_old()
        {
            var time = new ManualTime();
            var cache = new ReadThroughCache<string, int>(Freshness, time);

            var unknown = cache.TryGetLastKnown("a", out _);
            cache.Set("a", 7);
            time.Advance(TimeSpan.FromHours(1));

            Assert.Multiple(() =>
            {
                Assert.That(unknown, Is.False);
                Assert.That(cache.TryGetLastKnown("a", out var value), Is.True);
                Assert.That(value, Is.EqualTo(7));
            });
        }
    }
}
