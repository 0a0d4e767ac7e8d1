using TwitterBot.Processor.Conversations;
using TwitterBot.Tests.Support;

namespace TwitterBot.Tests.Integration;

public static class BotThrottles_Specs
{
    /// <summary>Both kinds of per-bot throttles (PostgreSQL on the real server, and memory) through the same cases.</summary>
    [Category("Integration")]
    [TestFixtureSource(typeof(ConversationStores), nameof(ConversationStores.Kinds))]
    public class When_bot_throttles_are_stored(StoreKind kind)
    {
        private const string Bot = "4337869213";
        private const string OtherBot = "1111111111";

        private ConversationStores _stores = null!;

        private IBotThrottles Throttles => _stores.Throttles;

        [SetUp]
        public async Task StartAsync() => _stores = await ConversationStores.StartAsync(kind);

        [TearDown]
        public async Task StopAsync() => await _stores.DisposeAsync();

        [Test]
        public async Task Should_keep_the_latest_rate_limit_reset_while_it_is_ahead()
        {
            var later = DateTimeOffset.UtcNow.AddHours(2);

            await Throttles.SetRateLimitResetAsync(Bot, later, CancellationToken.None);
            await Throttles.SetRateLimitResetAsync(Bot, later.AddHours(-1), CancellationToken.None);
            await Throttles.SetRateLimitResetAsync(OtherBot, DateTimeOffset.UtcNow.AddHours(-1), CancellationToken.None);

            Assert.Multiple(async () =>
            {
                Assert.That((await Throttles.GetRateLimitResetAsync(Bot, CancellationToken.None))?.ToUnixTimeMilliseconds(), Is.EqualTo(later.ToUnixTimeMilliseconds()));
                Assert.That(await Throttles.GetRateLimitResetAsync(OtherBot, CancellationToken.None), Is.Null, "a reset in the past limits nothing");
                Assert.That(await Throttles.GetRateLimitResetAsync("2222222222", CancellationToken.None), Is.Null);
            });
        }

        [Test]
        public async Task Should_remember_the_fingerprint_of_the_last_revoked_token()
        {
            var none = await Throttles.RevokedTokenAsync(Bot, CancellationToken.None);
            await Throttles.MarkRevokedAsync(Bot, "AAAA", DateTimeOffset.UtcNow, CancellationToken.None);
            await Throttles.MarkRevokedAsync(Bot, "BBBB", DateTimeOffset.UtcNow, CancellationToken.None);

            Assert.Multiple(async () =>
            {
                Assert.That(none, Is.Null);
                Assert.That(await Throttles.RevokedTokenAsync(Bot, CancellationToken.None), Is.EqualTo("BBBB"));
                Assert.That(await Throttles.RevokedTokenAsync(OtherBot, CancellationToken.None), Is.Null);
            });
        }

        [Test]
        public async Task Should_see_a_bots_first_token_since_always_and_later_ones_since_they_came()
        {
            var now = new ManualTime().GetUtcNow();

            var first = await Throttles.TokenFirstSeenAsync(Bot, "AAAA", now, CancellationToken.None);
            var firstAgain = await Throttles.TokenFirstSeenAsync(Bot, "AAAA", now.AddDays(1), CancellationToken.None);
            var second = await Throttles.TokenFirstSeenAsync(Bot, "BBBB", now.AddDays(2), CancellationToken.None);
            var secondAgain = await Throttles.TokenFirstSeenAsync(Bot, "BBBB", now.AddDays(3), CancellationToken.None);

            Assert.That(new[] { first, firstAgain, second, secondAgain },
                Is.EqualTo(new[] { IBotThrottles.SeenSinceAlways, IBotThrottles.SeenSinceAlways, now.AddDays(2), now.AddDays(2) }));
        }

        [Test]
        public async Task Should_count_401s_from_the_first_until_a_send_is_accepted()
        {
            var now = new ManualTime().GetUtcNow();

            var first = await Throttles.UnauthorizedSinceAsync(Bot, "AAAA", now, CancellationToken.None);
            var later = await Throttles.UnauthorizedSinceAsync(Bot, "AAAA", now.AddMinutes(5), CancellationToken.None);
            var otherBot = await Throttles.UnauthorizedSinceAsync(OtherBot, "CCCC", now, CancellationToken.None);
            await Throttles.ClearUnauthorizedAsync(Bot, CancellationToken.None);
            var afterAccepted = await Throttles.UnauthorizedSinceAsync(Bot, "AAAA", now.AddMinutes(10), CancellationToken.None);
            var otherBotStill = await Throttles.UnauthorizedSinceAsync(OtherBot, "CCCC", now.AddMinutes(10), CancellationToken.None);

            Assert.That(new[] { first, later, otherBot, afterAccepted, otherBotStill },
                Is.EqualTo(new[] { now, now, now, now.AddMinutes(10), now }));
        }
    }
}
