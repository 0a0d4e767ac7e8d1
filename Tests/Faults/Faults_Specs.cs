using System.Text.Json.Nodes;
using TwitterBot.Tests.Support;

namespace TwitterBot.Tests.Faults;

/// <summary>
/// End to end, with real processes, a real broker and a real store: a burst of DMs meets a failure, and the
/// account must show every DM X delivered accepted, answered exactly once, in order per conversation, with
/// nothing in <c>_error</c>. The burst is short in CI; <c>TWITTERBOT_FAULTS_PROFILE=long</c> makes it long.
/// </summary>
[Category("Faults")]
public static class Faults_Specs
{
    [NonParallelizable]
    public class When_RabbitMQ_goes_away_in_the_middle_of_a_burst
    {
        [Test]
        public async Task Should_lose_nothing_once_it_is_back()
        {
            await using var rig = await FaultRig.StartAsync();

            var burst = await rig.SendBurstToMidwayAsync();
            rig.Relay.Cut(); // every connection of both services dropped, new ones refused: a broker restart as they see it
            burst.Release();
            await Task.Delay(TimeSpan.FromSeconds(3));
            rig.Relay.Restore();
            await burst.ReleaseAsync();

            rig.AssertNothingLost(await rig.AccountAsync("RabbitMQ gone for 3 s mid-burst"));
        }
    }

    [NonParallelizable]
    public class When_the_Processor_is_killed_in_the_middle_of_a_burst
    {
        [Test]
        public async Task Should_answer_everything_once_after_it_is_restarted()
        {
            await using var rig = await FaultRig.StartAsync();

            var burst = await rig.SendBurstToMidwayAsync();
            await rig.Processors[0].KillAsync();
            burst.Release();
            await rig.StartProcessorAsync();
            await burst.ReleaseAsync();

            rig.AssertNothingLost(await rig.AccountAsync("Processor SIGKILLed mid-burst and restarted"));
        }

        [Test]
        public async Task Should_have_the_other_replica_take_over()
        {
            await using var rig = await FaultRig.StartAsync(processors: 2);

            var burst = await rig.SendBurstToMidwayAsync();
            await rig.Processors[0].KillAsync();
            await burst.ReleaseAsync();

            rig.AssertNothingLost(await rig.AccountAsync("one of two Processor replicas SIGKILLed mid-burst"));
        }
    }

    [NonParallelizable]
    public class When_the_Processor_is_killed_in_the_middle_of_an_XChat_burst
    {
        /// <summary>
        /// Each simulated XChat user holds its own key pair and conversation key and seals and signs its messages; the
        /// simulated X takes a reply only when it verifies with the bot's served keys and decrypts with the user's key.
        /// </summary>
        [Test]
        public async Task Should_answer_every_message_once_sealed_and_in_order_after_it_is_restarted()
        {
            await using var rig = await FaultRig.StartAsync(xchat: true);

            var burst = rig.SendChatBurstAsync();
            await rig.WaitUntilAcceptedAsync(rig.Profile.Total / 3);
            await rig.Processors[0].KillAsync();
            await rig.StartProcessorAsync();
            await burst;

            var account = await rig.ChatAccountAsync("Processor SIGKILLed mid-XChat-burst and restarted");
            rig.AssertNothingLost(account);
            Assert.That(account.RefusedByX, Is.Zero, "every reply verified and decrypted by the simulated X");
            Assert.That(rig.X.ChatSubmissions.Select(s => s.MessageId).Distinct().Count(), Is.EqualTo(account.Accepted),
                "one message id per reply: a retried send reused its id");
            Assert.That(rig.X.Sent, Is.Empty, "nothing went out as a legacy DM");
        }
    }

    [NonParallelizable]
    public class When_the_Ingress_restarts_in_the_middle_of_a_burst
    {
        /// <summary>
        /// The burst is held after its first third, so the kill always falls between two DMs of every user, and the
        /// rest is let go while the Ingress is dead: it starts again only once X has met the dead port, whatever the
        /// machine's speed (a burst that finished before the kill would need no retry).
        /// </summary>
        [Test]
        public async Task Should_have_Xs_retries_cover_the_gap()
        {
            await using var rig = await FaultRig.StartAsync();

            var burst = await rig.SendBurstToMidwayAsync();
            await rig.KillIngressAsync();
            burst.Release();
            await FaultRig.WaitUntilAsync(() => rig.Sender.Attempts.Any(a => a.Status is null));
            await rig.StartIngressAsync();
            await burst.ReleaseAsync();

            var account = await rig.AccountAsync("Ingress SIGKILLed mid-burst and restarted");
            rig.AssertNothingLost(account);
            Assert.That(account.Deliveries, Is.GreaterThan(rig.Profile.Total), "X retried what the dead Ingress did not answer");
        }
    }

    [NonParallelizable]
    public class When_PostgreSQL_restarts_in_the_middle_of_a_burst
    {
        /// <summary>
        /// The Processor's store is a PostgreSQL server of the rig's own (the shared one is never restarted). The burst is
        /// held after its first third, and one turn of it is held at the gateway, so the server stops under a claimed turn
        /// (its session, and the claim's advisory lock, gone with it) whatever the machine's speed; the rest of the
        /// burst arrives while it is down, so the Processor must hold those messages until it is back. <c>fast</c> ends
        /// every session cleanly (57P01 to each), <c>immediate</c> is a crash (sessions cut, WAL replayed at start).
        /// </summary>
        [TestCase("fast")]
        [TestCase("immediate")]
        public async Task Should_hold_its_messages_and_answer_each_once_when_it_is_back(string mode)
        {
            await using var rig = await FaultRig.StartAsync(ownPostgres: true);
            var processor = rig.Processors[0];
            var rest = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
            var down = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
            var heldText = FaultRig.Text(0, rig.MessagesBeforeHold - 1);
            var held = new HeldEcho(heldText, down.Task);
            rig.Gateway.Override = body => body["text"]?.GetValue<string>() == heldText && held.Take() ? held : null;

            var burst = rig.SendBurstAsync(rest: rest.Task);
            await rig.WaitUntilAcceptedAsync(rig.Profile.Users * rig.MessagesBeforeHold);
            await held.Asked.WaitAsync(FaultRig.Patience);
            await rig.OwnPostgres!.StopAsync(mode);
            var outage = System.Diagnostics.Stopwatch.StartNew();
            down.SetResult();
            rest.SetResult();
            await burst; // the Ingress needs no database: the whole burst is accepted while it is down
            using var http = new HttpClient();
            await FaultRig.WaitUntilAsync(async () =>
            {
                using var ready = await http.GetAsync(new Uri(processor.BaseAddress, "health/ready"));
                return ready.StatusCode == System.Net.HttpStatusCode.ServiceUnavailable; // the Processor has seen the store gone
            });
            var answeredWhileDown = rig.X.AllAccepted().Count;
            await rig.OwnPostgres.ResumeAsync();
            var downFor = outage.ElapsedMilliseconds;
            await processor.WaitUntilReadyAsync(FaultRig.Patience);
            TestContext.Out.WriteLine($"PostgreSQL down for {downFor} ms; the Processor ready again {outage.ElapsedMilliseconds - downFor} ms after it was started");

            var account = await rig.AccountAsync($"PostgreSQL stopped ({mode}) mid-burst under a claimed turn, the rest of the burst accepted, then started again");
            TestContext.Out.WriteLine($"{answeredWhileDown} DMs answered before PostgreSQL was back, while /health/ready answered 503");
            rig.AssertNothingLost(account);
            Assert.That(answeredWhileDown, Is.LessThan(rig.Profile.Users * rig.MessagesBeforeHold), "the held turn, and the rest of the burst, were answered only after PostgreSQL was back");
            Assert.That(processor.HasExited, Is.False, "the same Processor rode out the outage, never restarted");
        }
    }

    [NonParallelizable]
    public class When_the_gateway_fails_for_a_while
    {
        [Test]
        public async Task Should_answer_everything_once_it_is_healthy()
        {
            await using var rig = await FaultRig.StartAsync();
            var failingUntil = DateTimeOffset.UtcNow.AddSeconds(4);
            var hangingUntil = failingUntil.AddSeconds(4);
            rig.Gateway.Override = _ => DateTimeOffset.UtcNow < failingUntil ? Microsoft.AspNetCore.Http.Results.StatusCode(502)
                : DateTimeOffset.UtcNow < hangingUntil ? new HangingResult(TimeSpan.FromSeconds(5))
                : null;

            await rig.SendBurstAsync();

            rig.AssertNothingLost(await rig.AccountAsync("gateway 502 for 4 s, then hanging past the 2 s timeout for 4 s"));
        }
    }

    [NonParallelizable]
    public class When_X_limits_the_rate_and_refuses_one_user
    {
        [Test]
        public async Task Should_wait_for_the_reset_answer_the_others_once_and_not_retry_the_refused_user()
        {
            await using var rig = await FaultRig.StartAsync();
            var refused = FaultRig.UserId(0);
            var limitedUntil = DateTimeOffset.UtcNow.AddSeconds(4);
            rig.X.Override = dm => dm.RecipientId == refused ? FakeXApi.Refused(349, "You cannot send messages to this user.")
                : DateTimeOffset.UtcNow < limitedUntil ? FakeXApi.TooManyRequests(limitedUntil)
                : null;

            await rig.SendBurstAsync();

            var account = await rig.AccountAsync("X answering 429 for 4 s, and 349 for one user", new HashSet<string> { refused });
            rig.AssertNothingLost(account);
            Assert.That(account.RefusedByX, Is.EqualTo(rig.Profile.MessagesPerUser), "each DM to the refused user tried once, never retried");
        }
    }

    [NonParallelizable]
    public class When_X_delivers_every_event_twice_and_replays_them_later
    {
        [Test]
        public async Task Should_answer_each_once()
        {
            await using var rig = await FaultRig.StartAsync();

            await rig.SendBurstAsync(deliveries: 2);
            await rig.AccountAsync("every event delivered twice");
            await rig.ReplayAsync();

            rig.AssertNothingLost(await rig.AccountAsync("every event delivered twice, then replayed"));
        }
    }

    /// <summary>The gateway's echo of <paramref name="text"/>, given once <paramref name="release"/> completes: a turn held in the middle.</summary>
    private sealed class HeldEcho(string text, Task release) : Microsoft.AspNetCore.Http.IResult
    {
        private readonly TaskCompletionSource _asked = new(TaskCreationOptions.RunContinuationsAsynchronously);
        private int _taken;

        /// <summary>Completes when the held request arrived.</summary>
        public Task Asked => _asked.Task;

        /// <summary>True once: only the first request for the held text is held, its retries are answered at once.</summary>
        public bool Take() => Interlocked.Exchange(ref _taken, 1) == 0;

        public async Task ExecuteAsync(Microsoft.AspNetCore.Http.HttpContext httpContext)
        {
            _asked.TrySetResult();
            await release.WaitAsync(httpContext.RequestAborted).ContinueWith(_ => { }, TaskScheduler.Default);
            await Microsoft.AspNetCore.Http.Results.Json(new JsonObject
            {
                ["current_state"] = new JsonObject { ["context"] = "Context", ["id"] = Guid.NewGuid().ToString(), ["name"] = "say:reply" },
                ["responses"] = new JsonArray(new JsonObject
                {
                    ["text"] = $"You said: {text}",
                    ["quick_replies"] = new JsonArray(),
                    ["attachments"] = new JsonArray(),
                }),
            }).ExecuteAsync(httpContext);
        }
    }

    /// <summary>Answers only after the client gave up.</summary>
    private sealed class HangingResult(TimeSpan delay) : Microsoft.AspNetCore.Http.IResult
    {
        public async Task ExecuteAsync(Microsoft.AspNetCore.Http.HttpContext httpContext)
        {
            await Task.Delay(delay, httpContext.RequestAborted).ContinueWith(_ => { }, TaskScheduler.Default);
            httpContext.Response.StatusCode = 504;
        }
    }
}
