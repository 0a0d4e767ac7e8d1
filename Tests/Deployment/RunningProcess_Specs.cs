using System.Diagnostics;
using TwitterBot.Tests.Support;

namespace TwitterBot.Tests.Deployment;

/// <summary>
/// The one runner of child processes (Tests/Common): the specs' services, the run command and the benchmark
/// tool start theirs through it, and its captured output goes into failing specs' messages.
/// </summary>
public static class RunningProcess_Specs
{
    private static readonly TimeSpan SafetyNet = TimeSpan.FromSeconds(30);

    public class When_a_process_writes_the_credentials_it_was_given
    {
        [Test]
        public async Task Should_mask_every_secret_token_and_password_in_its_captured_output()
        {
            var settings = TestCredentials.BotSettings();
            settings["Messaging:Rabbit:Password"] = "a-broker-password";
            settings["Processor:Store:ConnectionString"] = "Host=db;Password=a-database-password";
            var start = new ProcessStartInfo("bash")
            {
                ArgumentList =
                {
                    "-c",
                    """
                    echo "key $TwitterBot__Auth__ConsumerKey bot $TwitterBot__Bots__0__UserId secret $TwitterBot__Auth__ConsumerSecret"
                    echo "token $TwitterBot__Bots__0__AccessToken and $TwitterBot__Bots__0__AccessSecret" >&2
                    echo "broker $Messaging__Rabbit__Password store $Processor__Store__ConnectionString"
                    """,
                },
            };

            await using var process = RunningProcess.Start(start, settings);

            Assert.That(await process.WaitForExitAsync(SafetyNet), Is.True, process.Output);
            Assert.That(process.Output, Does.Contain($"key {TestCredentials.ConsumerKey} bot {TestCredentials.BotUserId} secret ***")
                .And.Contain("token *** and ***")
                .And.Contain("broker *** store ***"));
            Assert.That(process.Output, Does.Not.Contain(TestCredentials.ConsumerSecret)
                .And.Not.Contain(TestCredentials.BotAccessToken)
                .And.Not.Contain(TestCredentials.BotAccessSecret)
                .And.Not.Contain("a-broker-password")
                .And.Not.Contain("a-database-password"));
        }

        [TestCase("TwitterBot:Auth:ConsumerSecret", true)]
        [TestCase("TwitterBot__Bots__0__AccessToken", true)]
        [TestCase("TwitterBot:Auth:BearerToken", true)]
        [TestCase("Messaging:Rabbit:Password", true)]
        [TestCase("Processor:Store:ConnectionString", true)]
        [TestCase("ConnectionStrings:Store", true)]
        [TestCase("TwitterBot:Auth:ConsumerKey", false)]
        [TestCase("TwitterBot:Bots:0:UserId", false)]
        [TestCase("Messaging:Rabbit:Username", false)]
        public void Should_take_a_key_for_a_secret_by_its_name(string key, bool secret) =>
            Assert.That(RunningProcess.IsSecret(key), Is.EqualTo(secret));
    }

    public class When_a_process_is_killed
    {
        [Test]
        public async Task Should_take_its_children_with_it()
        {
            // The child lets go of the output pipes, so that only a kill of the whole tree ends it.
            var start = new ProcessStartInfo("bash") { ArgumentList = { "-c", "sleep 300 >/dev/null 2>&1 & echo started; wait" } };
            await using var process = RunningProcess.Start(start);
            Assert.That(await process.WaitForOutputAsync("started", SafetyNet), Is.True, process.Output);
            var children = OsProcess.DescendantsOf(process.Id);
            Assert.That(children.Select(child => child.CommandLine), Has.Some.StartsWith("sleep 300"));

            try
            {
                await process.KillAsync();

                Assert.That(process.HasExited, Is.True);
                var waited = Stopwatch.StartNew(); // a SIGKILLed child is gone once the kernel has torn it down
                while (children.Any(child => child.IsAlive) && waited.Elapsed < SafetyNet)
                {
                    await Task.Delay(50);
                }

                Assert.That(children.Where(child => child.IsAlive).Select(child => $"{child.Id} {child.CommandLine}"), Is.Empty);
            }
            finally
            {
                foreach (var survivor in children.Where(child => child.IsAlive))
                {
                    using var orphan = Process.GetProcessById(survivor.Id);
                    orphan.Kill();
                }
            }
        }
    }
}
