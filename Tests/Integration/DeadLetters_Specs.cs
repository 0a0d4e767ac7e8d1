using Microsoft.Extensions.Configuration;
using TwitterBot.Processor.CommandLine;
using TwitterBot.Tests.Support;

namespace TwitterBot.Tests.Integration;

[Category("Integration")]
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

    private static async Task<(int ExitCode, string Output)> RunAsync(ConversationRig rig, params string[] args)
    {
        using var output = new StringWriter();
        var configuration = new ConfigurationBuilder().AddInMemoryCollection(rig.Settings).Build();
        var exitCode = await ProcessorCommandLine.RunAsync(args, configuration, output);
        TestContext.Out.WriteLine(output.ToString());
        return (exitCode, output.ToString());
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
