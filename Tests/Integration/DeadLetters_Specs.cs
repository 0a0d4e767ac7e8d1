using Microsoft.Extensions.Configuration;
using TwitterBot.Conventions.Ids;
using TwitterBot.Processor.CommandLine;
using TwitterBot.Tests.Support;

namespace TwitterBot.Tests.Integration;

/// <summary>The <c>dead-letters</c> commands on a real RabbitMQ, against letters a real Processor failed.</summary>
[Category("Integration")]
public static class DeadLetters_Specs
{
    private static async Task<(int ExitCode, string Output)> RunAsync(ConversationRig rig, params string[] args)
    {
        using var output = new StringWriter();
        var configuration = new ConfigurationBuilder().AddInMemoryCollection(rig.Settings).Build();
        var exitCode = await ProcessorCommandLine.RunAsync(args, configuration, output);
        TestContext.Out.WriteLine(output.ToString());
        return (exitCode, output.ToString());
    }

    public class When_messages_failed_and_the_cause_is_fixed
    {
        private static readonly string[] Users = ["3001969350", "3001969351", "3001969352"];

        [Test]
        public async Task Should_requeue_every_dead_letter_to_its_queue_and_answer_each_once()
        {
            await using var rig = await ConversationRig.StartAsync();
            var misconfigured = new Dictionary<string, string?>(rig.Settings) { ["TwitterBot:Bots:0:UserId"] = "999999" };
            await using (var broken = new ProcessorFactory(misconfigured))
            {
                await broken.WaitUntilReadyAsync(ConversationRig.Patience);
                for (var i = 0; i < Users.Length; i++)
                {
                    await rig.PostAsync($"189000000000000010{i}", $"lost {i}", Users[i]);
                }

                using var deadline = new CancellationTokenSource(ConversationRig.Patience);
                while (await rig.DeadLettersAsync() < Users.Length)
                {
                    await Task.Delay(200, deadline.Token);
                }
            }

            var (listed, listOutput) = await RunAsync(rig, "dead-letters", "list", "--exception", "InvalidOperation");
            var (dryRun, dryRunOutput) = await RunAsync(rig, "dead-letters", "requeue", "--dry-run");
            Assert.That((listed, dryRun), Is.EqualTo((0, 0)));
            Assert.That(listOutput, Does.Contain("3 dead letters").And.Contain("No bot account with UserId 4337869213"));
            Assert.That(dryRunOutput, Does.Contain("would move 3 dead letters"));
            Assert.That(await rig.DeadLettersAsync(), Is.EqualTo(3), "a dry run moves nothing");

            await rig.StartProcessorAsync();
            var (requeued, requeueOutput) = await RunAsync(rig, "dead-letters", "requeue");

            var sent = await rig.X.WaitForDirectMessagesAsync(3, ConversationRig.Patience);
            Assert.That(requeued, Is.Zero);
            Assert.That(requeueOutput, Does.Contain("moved 3 dead letters"));
            Assert.That(sent.Select(dm => dm.RecipientId), Is.EquivalentTo(Users));
            Assert.That(rig.Gateway.AskedTexts, Is.EquivalentTo(new[] { "lost 0", "lost 1", "lost 2" }), "each answered once");
            Assert.That(await rig.DeadLettersAsync(), Is.Zero);
        }
    }

    public class When_dead_letters_are_listed_again_and_again
    {
        private static readonly string[] Users = ["3001969360", "3001969361"];
        private const int PerUser = 3;

        [Test]
        public async Task Should_requeue_every_letter_once_in_order_and_unaged()
        {
            await using var rig = await ConversationRig.StartAsync();
            var sent = await FailAsync(rig, Users, PerUser);

            for (var run = 0; run < 25; run++)
            {
                var (listed, output) = await RunAsync(rig, "dead-letters", "list");
                Assert.That(listed, Is.Zero, $"list {run + 1}");
                Assert.That(output, Does.Contain($"{Users.Length * PerUser} dead letters"), $"list {run + 1}");
            }

            var (dryRun, dryRunOutput) = await RunAsync(rig, "dead-letters", "requeue", "--dry-run");
            Assert.That((dryRun, dryRunOutput.Contains($"would move {Users.Length * PerUser} dead letters", StringComparison.Ordinal)), Is.EqualTo((0, true)));

            // What requeue is about to move, as the error queues hold it after 25 lists and a dry run.
            var parked = new List<PeekedMessage>();
            foreach (var partition in TestSettings.PartitionQueues)
            {
                parked.AddRange(await rig.Broker.CountMessagesIfAnyAsync(partition + "_error") > 0 ? await rig.Broker.PeekAsync(partition + "_error") : []);
            }

            Assert.That(parked.Select(letter => letter.DeliveryCount), Is.All.Zero, "listing delivered nothing: no delivery counted");
            foreach (var user in Users)
            {
                Assert.That(parked.Select(letter => letter.MessageId).Where(id => id is not null && sent[user].Contains(id)), Is.EqualTo(sent[user]), $"{user}'s letters in the order they failed");
            }

            var (requeued, requeueOutput) = await RunAsync(rig, "dead-letters", "requeue");
            Assert.That(requeued, Is.Zero);
            Assert.That(requeueOutput, Does.Contain($"moved {Users.Length * PerUser} dead letters"));
            await AssertMovedOnceInOrderAsync(rig, sent);
        }
    }

    public class When_lists_run_while_requeue_moves
    {
        private static readonly string[] Users = ["3001969370", "3001969371"];
        private const int PerUser = 3;

        [Test]
        public async Task Should_still_move_every_letter_once_in_order()
        {
            await using var rig = await ConversationRig.StartAsync();
            var sent = await FailAsync(rig, Users, PerUser);

            var runs = await Task.WhenAll(
                Task.Run(() => RunAsync(rig, "dead-letters", "list")),
                Task.Run(() => RunAsync(rig, "dead-letters", "requeue")),
                Task.Run(() => RunAsync(rig, "dead-letters", "list")));

            Assert.That(runs.Select(run => run.ExitCode), Is.All.Zero);
            Assert.That(runs[1].Output, Does.Contain($"moved {Users.Length * PerUser} dead letters"), "a list reading at the same time holds back nothing from requeue");
            await AssertMovedOnceInOrderAsync(rig, sent);
        }
    }

    /// <summary>Posts <paramref name="perUser"/> DMs from each user to a Processor that fails them all; returns each user's message ids in order.</summary>
    private static async Task<Dictionary<string, List<string>>> FailAsync(ConversationRig rig, string[] users, int perUser)
    {
        var misconfigured = new Dictionary<string, string?>(rig.Settings) { ["TwitterBot:Bots:0:UserId"] = "999999" };
        var sent = users.ToDictionary(user => user, _ => new List<string>());
        await using var broken = new ProcessorFactory(misconfigured);
        await broken.WaitUntilReadyAsync(ConversationRig.Patience);
        for (var i = 0; i < perUser; i++)
        {
            foreach (var user in users)
            {
                var eventId = $"189{user}{i:D3}";
                await rig.PostAsync(eventId, $"lost {user} {i}", user);
                sent[user].Add(MessageIds.For(TestCredentials.BotUserId, eventId).ToString());
            }
        }

        using var deadline = new CancellationTokenSource(ConversationRig.Patience);
        while (await rig.DeadLettersAsync() < users.Length * perUser)
        {
            await Task.Delay(200, deadline.Token);
        }

        return sent;
    }

    /// <summary>Nothing left in the error queues, and each letter back in its queue exactly once, in its user's order.</summary>
    private static async Task AssertMovedOnceInOrderAsync(ConversationRig rig, Dictionary<string, List<string>> sent)
    {
        Assert.That(await rig.DeadLettersAsync(), Is.Zero, "nothing left behind");
        var moved = new List<PeekedMessage>();
        foreach (var partition in TestSettings.PartitionQueues)
        {
            moved.AddRange(await rig.Broker.PeekAsync(partition));
        }

        Assert.That(moved.Select(message => message.MessageId), Is.EquivalentTo(sent.Values.SelectMany(ids => ids)), "each letter moved exactly once");
        foreach (var (user, ids) in sent)
        {
            Assert.That(moved.Select(message => message.MessageId).Where(id => id is not null && ids.Contains(id)), Is.EqualTo(ids), $"{user}'s messages back in the order they were sent");
        }
    }

    public class When_the_dead_letter_command_is_misconfigured
    {
        [Test]
        public async Task Should_fail_naming_the_key_like_the_services_do()
        {
            var configuration = new ConfigurationBuilder().AddInMemoryCollection(new Dictionary<string, string?>
            {
                ["Messaging:Rabbit:Hosts:0"] = "127.0.0.1:not-a-port",
                ["Messaging:Rabbit:Username"] = "guest",
            }).Build();
            using var output = new StringWriter();

            var exitCode = await ProcessorCommandLine.RunAsync(["dead-letters", "list"], configuration, output);

            Assert.That(exitCode, Is.EqualTo(ExitCodes.Invalid));
            Assert.That(output.ToString(), Does.Contain("Messaging:Rabbit:Hosts:0 must be host:port.").And.Contain("Messaging:Rabbit:Password is required."));
        }
    }
}
