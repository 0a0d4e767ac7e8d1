using System.Diagnostics;
using TwitterBot.Tests.Support;

namespace TwitterBot.Tests.Processor;

/// <summary>
/// The Processor's binary as an operator meets it: asking for help, or mistyping a verb, lists the verbs and
/// exits; only no verb (host arguments allowed) starts the service.
/// </summary>
public static class CommandLineHelp_Specs
{
    private static readonly string[] EveryVerb = ["dead-letters", "webhooks", "subscriptions", "replay", "reconcile", "doctor"];

    public class When_asked_for_help
    {
        [TestCase("--help")]
        [TestCase("-h")]
        [TestCase("help")]
        public async Task Should_list_every_verb_and_exit_with_0(string argument)
        {
            var (exitCode, output) = await RunAsync(argument);

            Assert.That(output, Does.Contain("Commands:"));
            Assert.That(EveryVerb, Has.All.Matches<string>(verb => output.Contains($"  {verb}", StringComparison.Ordinal)), output);
            Assert.That(exitCode, Is.Zero, output);
        }

        [Test]
        public async Task Should_show_a_verbs_own_help_for_help_and_that_verb()
        {
            var (exitCode, output) = await RunAsync("help", "webhooks");

            Assert.That(output, Does.Contain("webhooks").And.Contain("list"), output);
            Assert.That(exitCode, Is.Zero, output);
        }
    }

    public class When_the_first_word_is_no_verb
    {
        [Test]
        public async Task Should_name_it_list_every_verb_and_exit_with_2()
        {
            var (exitCode, output) = await RunAsync("frobnicate");

            Assert.That(output, Does.Contain("frobnicate").And.Contain("Commands:"));
            Assert.That(EveryVerb, Has.All.Matches<string>(verb => output.Contains($"  {verb}", StringComparison.Ordinal)), output);
            Assert.That(exitCode, Is.EqualTo(2), output);
        }
    }

    public class When_only_host_arguments_are_given
    {
        [TestCase("--environment", "Testing")]
        [TestCase("--urls", "http://127.0.0.1:9")]
        [TestCase("Urls=http://127.0.0.1:9")]
        public async Task Should_start_the_service(params string[] arguments)
        {
            // Unconfigured, the service refuses to start and names the keys: proof that it, not the help, ran.
            var (_, output) = await RunAsync(arguments);

            Assert.That(output, Does.Contain("TwitterBot:Auth:ConsumerSecret is required").And.Not.Contain("Commands:"));
        }
    }

    /// <summary>The built Processor with the Testing environment (no configuration): its exit code and everything it wrote.</summary>
    private static async Task<(int ExitCode, string Output)> RunAsync(params string[] arguments)
    {
        var start = new ProcessStartInfo("dotnet") { WorkingDirectory = ServiceBuilds.Directory("Processor") };
        start.ArgumentList.Add("TwitterBot.Processor.dll");
        foreach (var argument in arguments)
        {
            start.ArgumentList.Add(argument);
        }

        start.Environment["ASPNETCORE_ENVIRONMENT"] = "Testing";
        start.Environment["DOTNET_ENVIRONMENT"] = "Testing";
        await using var process = RunningProcess.Start(start);
        if (!await process.WaitForExitAsync(TimeSpan.FromMinutes(1)))
        {
            Assert.Fail($"`TwitterBot.Processor.dll {string.Join(' ', arguments)}` was still running after a minute: it started the service.");
        }

        return (process.ExitCode, process.Output);
    }
}
