using TwitterBot.Processor.Conversations;
using TwitterBot.Tests.Support;

namespace TwitterBot.Tests.Processor;

public static class RateLimits_Specs
{
    private const string Bot = "4337869213";

    public class When_X_says_the_limit_resets_in_the_current_second
    {
        [Test]
        public async Task Should_wait_until_that_second_has_passed_not_the_default()
        {
            var time = new ManualTime();
            var limits = new RateLimits(new InMemoryBotThrottles(time), time);
            var second = DateTimeOffset.FromUnixTimeSeconds(time.GetUtcNow().ToUnixTimeSeconds() + 10);
            time.Advance(second + TimeSpan.FromMilliseconds(400) - time.GetUtcNow()); // X's header says "second", which is under way

            var resetsAt = await limits.LimitedAsync(Bot, second, CancellationToken.None);

            Assert.That(resetsAt, Is.EqualTo(second + TimeSpan.FromSeconds(1)));
        }
    }

    public class When_several_conversations_of_a_bot_meet_one_limit_without_a_reset
    {
        [Test]
        public async Task Should_count_them_as_one_429_not_as_many_in_a_row()
        {
            var time = new ManualTime();
            var limits = new RateLimits(new InMemoryBotThrottles(time), time);
            var now = time.GetUtcNow();

            var waits = new List<DateTimeOffset>();
            for (var conversation = 0; conversation < 5; conversation++)
            {
                waits.Add(await limits.LimitedAsync(Bot, null, CancellationToken.None));
            }

            Assert.That(waits, Is.All.EqualTo(now + RateLimits.DefaultWait));
            Assert.That(await limits.ResetOfAsync(Bot, CancellationToken.None), Is.EqualTo(now + RateLimits.DefaultWait));
        }

        [Test]
        public async Task Should_grow_the_wait_for_a_429_met_after_the_wait_ended()
        {
            var time = new ManualTime();
            var limits = new RateLimits(new InMemoryBotThrottles(time), time);

            var first = await limits.LimitedAsync(Bot, null, CancellationToken.None);
            time.Advance(first - time.GetUtcNow());
            var second = await limits.LimitedAsync(Bot, null, CancellationToken.None);

            Assert.That(second - first, Is.EqualTo(RateLimits.DefaultWait * 2));
        }
    }
}
