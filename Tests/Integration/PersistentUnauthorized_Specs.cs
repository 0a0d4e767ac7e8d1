using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.Extensions.Configuration;
using TwitterBot.Contracts;
using TwitterBot.Processor.Conversations.Saga;
using TwitterBot.Tests.Support;

namespace TwitterBot.Tests.Integration;

/// <summary>
/// X API v2 answers a revoked token with a 401 problem document that carries no code, so no single answer
/// proves revocation: a 401 that persists past <c>Processor:Replies:RevokeAfterUnauthorized</c> with no send
/// accepted in between does. v1.1's codes decide at once (89) or never (32, 135).
/// </summary>
[Category("Integration")]
public static class PersistentUnauthorized_Specs
{
    private static readonly TimeSpan Threshold = TimeSpan.FromMinutes(10);

    private static Task<long> RevokedBotsAsync(TurnRig rig) => rig.Database.ScalarAsync<long>("SELECT count(*) FROM revoked_bots");

    private static Task<TurnRig> StartAsync(string version) => TurnRig.StartAsync(settings =>
    {
        settings["TwitterBot:Api:Version"] = version;
        settings["Processor:Replies:RevokeAfterUnauthorized"] = Threshold.ToString();
    });

    /// <summary>X's v2 answer to a token it no longer accepts, some time after the previous attempt.</summary>
    private static IResult Unauthorized(TurnRig rig, TimeSpan later)
    {
        rig.Clock.Advance(later);
        return Results.Json(new { title = "Unauthorized", type = "about:blank", status = 401, detail = "Unauthorized" }, statusCode: 401);
    }

    public class When_X_API_v2_refuses_every_send_of_a_bot_with_401
    {
        [Test]
        public async Task Should_retry_until_the_threshold_then_take_the_token_as_revoked()
        {
            await using var rig = await StartAsync("2");
            rig.X.Override = _ => Unauthorized(rig, TimeSpan.FromMinutes(6));

            await rig.PublishAsync("1940000000000000001", "hello");
            await rig.WaitForAnsweredAsync(1);
            var attempts = rig.X.Attempts.Count;
            await rig.PublishAsync("1940000000000000002", "anyone?", senderId: "3001969358");
            await rig.WaitForAnsweredAsync(2);

            Assert.Multiple(async () =>
            {
                Assert.That(attempts, Is.EqualTo(3), "refused at +0, +6 min (retried), +12 min (past 10 min: revoked)");
                Assert.That(await RevokedBotsAsync(rig), Is.EqualTo(1));
                Assert.That(rig.Harness.Published.Select<DirectMessageRejected>().Select(r => r.Context.Message.EventId),
                    Is.EquivalentTo(new[] { "1940000000000000001", "1940000000000000002" }));
                Assert.That(rig.X.Attempts, Has.Count.EqualTo(attempts), "the bot's later turns do not call X");
                Assert.That(rig.X.AllAccepted(), Is.Empty);
            });
        }

        [Test]
        public async Task Should_start_over_after_a_send_X_accepted()
        {
            await using var rig = await StartAsync("2");

            // Two refusals, a success, two refusals, a success: never 10 minutes of refusals in a row.
            rig.X.Override = _ => rig.X.Attempts.Count % 3 == 0 ? null : Unauthorized(rig, TimeSpan.FromMinutes(6));

            await rig.PublishAsync("1940000000000000003", "hello");
            await rig.WaitForAnsweredAsync(1);
            await rig.PublishAsync("1940000000000000004", "again");
            await rig.WaitForAnsweredAsync(2);

            Assert.Multiple(async () =>
            {
                Assert.That(rig.X.AllAccepted().Select(dm => dm.Text), Is.EqualTo(new[] { "You said: hello", "You said: again" }));
                Assert.That(rig.X.Attempts, Has.Count.EqualTo(6));
                Assert.That(await rig.Harness.Published.Any<DirectMessageRejected>(), Is.False);
                Assert.That(await RevokedBotsAsync(rig), Is.Zero);
            });
        }
    }

    public class When_X_API_v1_1_refuses_a_bot_with_401_code_32_for_hours
    {
        [Test]
        public async Task Should_never_take_it_as_revoked()
        {
            await using var rig = await StartAsync("1.1");
            rig.X.Override = _ =>
            {
                if (rig.X.Attempts.Count > 3)
                {
                    return null;
                }

                rig.Clock.Advance(TimeSpan.FromHours(5));
                return FakeXApi.Error(401, 32, "Could not authenticate you.");
            };

            await rig.PublishAsync("1940000000000000005", "hello");
            await rig.WaitForAnsweredAsync(1);

            Assert.Multiple(async () =>
            {
                Assert.That(rig.X.AllAccepted().Select(dm => dm.Text), Is.EqualTo(new[] { "You said: hello" }));
                Assert.That(await rig.Harness.Published.Any<DirectMessageRejected>(), Is.False);
                Assert.That(await RevokedBotsAsync(rig), Is.Zero);
            });
        }
    }

    public class When_RevokeAfterUnauthorized_is_out_of_range
    {
        private sealed class ConfiguredProcessor(IDictionary<string, string?> settings) : WebApplicationFactory<ConversationStateMachine>
        {
            protected override void ConfigureWebHost(IWebHostBuilder builder)
            {
                builder.UseEnvironment("Testing");
                builder.ConfigureAppConfiguration(configuration => configuration.AddInMemoryCollection(settings));
            }
        }

        [TestCase("00:00:30")]
        [TestCase("2.00:00:00")]
        public void Should_stop_the_processor_naming_the_key(string threshold)
        {
            var settings = TestSettings.Common();
            settings["Gateway:Url"] = "http://127.0.0.1:9/";
            settings["Processor:Replies:RevokeAfterUnauthorized"] = threshold;
            using var processor = new ConfiguredProcessor(settings);

            Assert.That(Assert.Throws(Is.InstanceOf<Exception>(), () => processor.CreateClient())!.ToString(),
                Does.Contain("Processor:Replies:RevokeAfterUnauthorized must be between 00:01:00 and 1.00:00:00"));
        }
    }
}
