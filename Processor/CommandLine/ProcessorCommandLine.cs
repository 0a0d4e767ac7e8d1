using System.CommandLine;
using System.Globalization;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.Options;
using TwitterBot.Processor.Extensions;
using TwitterBot.ServiceDefaults;

namespace TwitterBot.Processor.CommandLine;

/// <summary>
/// Operator commands of the Processor's binary: <c>dotnet TwitterBot.Processor.dll &lt;verb&gt; …</c>, with
/// <c>--help</c> on every verb. Configuration comes from the same appsettings and environment variables as
/// the service. Exit codes (<see cref="ExitCodes"/>): 0 done, 1 refused or failed, 2 invalid usage or configuration.
/// </summary>
public static class ProcessorCommandLine
{
    private static readonly string[] HelpWords = ["help", "--help", "-h", "-?"];

    /// <summary>
    /// Whether the arguments are for the command line rather than the service: a request for help, or a first
    /// word that is not one of the host's own arguments (<c>--urls …</c>, <c>--environment=…</c>, <c>/key value</c>,
    /// <c>key=value</c>). An unknown word is a mistyped verb: it gets the list of verbs, never a started service.
    /// </summary>
    public static bool IsCommand(string[] args) =>
        args.Length > 0 && (HelpWords.Contains(args[0]) || !(args[0].StartsWith('-') || args[0].StartsWith('/') || args[0].Contains('=')));

    public static async Task<int> RunAsync(string[] args, IConfiguration? configuration = null, TextWriter? output = null, CancellationToken cancellationToken = default)
    {
        if (args is ["help", .. var verb])
        {
            args = [.. verb, "--help"];
        }

        configuration ??= LoadConfiguration();
        using var services = new LazyServices(configuration);
        var root = new RootCommand("TwitterBot Processor. Without a verb (host arguments such as --urls or --environment allowed) it starts the service.") { DeadLetters(configuration) };
        foreach (var command in AccountActivityCommands.All(() => services.Provider))
        {
            root.Subcommands.Add(command);
        }

        var invocation = new InvocationConfiguration();
        if (output is not null)
        {
            invocation.Output = output;
            invocation.Error = output;
        }

        var parse = root.Parse(args);
        if (parse.Errors.Count > 0)
        {
            foreach (var error in parse.Errors)
            {
                await invocation.Error.WriteLineAsync(error.Message);
            }

            if (args is not [var first, ..] || !root.Subcommands.Any(verb => verb.Name == first))
            {
                await root.Parse(["--help"]).InvokeAsync(new InvocationConfiguration { Output = invocation.Error }, cancellationToken);
                return ExitCodes.Invalid;
            }

            await invocation.Error.WriteLineAsync($"See `{string.Join(' ', args.TakeWhile(a => !a.StartsWith('-')).Take(2))} --help`.");
            return ExitCodes.Invalid;
        }

        invocation.EnableDefaultExceptionHandler = false;
        try
        {
            return await parse.InvokeAsync(invocation, cancellationToken);
        }
        catch (OptionsValidationException invalid)
        {
            foreach (var failure in invalid.Failures)
            {
                await invocation.Error.WriteLineAsync(failure);
            }

            return ExitCodes.Invalid;
        }
        catch (Exception failure) when (failure is not OperationCanceledException)
        {
            await invocation.Error.WriteLineAsync($"{args[0]} failed: {failure.Message}");
            return ExitCodes.Failed;
        }
    }

    /// <summary>The Processor's options and X clients, built the first time a verb needs them.</summary>
    private sealed class LazyServices(IConfiguration configuration) : IDisposable
    {
        private IHost? _host;

        public IServiceProvider Provider => (_host ??= Build()).Services;

        private IHost Build()
        {
            var builder = Host.CreateEmptyApplicationBuilder(new HostApplicationBuilderSettings { DisableDefaults = true });
            builder.Configuration.AddConfiguration(configuration);
            builder.AddProcessorOptions();
            builder.AddApiClients();
            builder.AddAccountActivityClients();
            return builder.Build();
        }

        public void Dispose() => _host?.Dispose();
    }

    private static Command DeadLetters(IConfiguration configuration)
    {
        var queues = new Option<string[]>("--queue") { Description = "A queue (or prefix) whose _error queue to read, e.g. direct-message-received-03; all when omitted.", AllowMultipleArgumentsPerToken = true };
        var exception = new Option<string?>("--exception") { Description = "Only faults whose exception type contains this text." };
        var olderThan = new Option<TimeSpan?>("--older-than") { Description = "Only faults at least this old, e.g. 00:30:00." };
        var max = new Option<int?>("--max") { Description = "At most this many messages." };
        var body = new Option<bool>("--body") { Description = "Print each message's body too (it may hold what users wrote)." };
        var dryRun = new Option<bool>("--dry-run") { Description = "Say what would be re-queued, move nothing." };

        var list = new Command("list", "List (and with --body, inspect) dead letters without removing them.") { queues, exception, olderThan, max, body };
        list.SetAction(async (parse, cancellationToken) =>
        {
            var letters = await Open(configuration).ListAsync(Filter(parse), cancellationToken);
            var output = parse.InvocationConfiguration.Output;
            foreach (var letter in letters)
            {
                await output.WriteLineAsync($"{letter.ErrorQueue}\t{letter.MessageId}\t{letter.FaultedAt:O}\t{letter.ExceptionType}\t{letter.ExceptionMessage}");
                if (parse.GetValue(body))
                {
                    await output.WriteLineAsync(System.Text.Encoding.UTF8.GetString(letter.Body.Span));
                }
            }

            await output.WriteLineAsync($"{letters.Count} dead letters");
            return 0;
        });

        var requeue = new Command("requeue", "Move dead letters back to the queue they failed on (after fixing the cause).") { queues, exception, olderThan, max, dryRun };
        requeue.SetAction(async (parse, cancellationToken) =>
        {
            var deadLetters = Open(configuration);
            var dry = parse.GetValue(dryRun);
            var letters = dry ? await deadLetters.ListAsync(Filter(parse), cancellationToken) : await deadLetters.RequeueAsync(Filter(parse), cancellationToken);
            var output = parse.InvocationConfiguration.Output;
            foreach (var group in letters.GroupBy(l => (l.ErrorQueue, l.SourceQueue)))
            {
                await output.WriteLineAsync($"{(dry ? "would move" : "moved")} {group.Count()} from {group.Key.ErrorQueue} to {group.Key.SourceQueue}");
            }

            await output.WriteLineAsync(string.Create(CultureInfo.InvariantCulture, $"{(dry ? "would move" : "moved")} {letters.Count} dead letters"));
            return 0;
        });

        DeadLetterFilter Filter(ParseResult parse) =>
            new(parse.GetValue(queues) ?? [], parse.GetValue(exception), parse.GetValue(olderThan), parse.GetValue(max));

        return new Command("dead-letters", "Inspect and replay messages in the Processor's _error queues.") { list, requeue };
    }

    private static DeadLetterQueues Open(IConfiguration configuration) =>
        new(configuration.GetValidated<RabbitMqOptions, RabbitMqOptionsValidator>(RabbitMqOptions.Section), TimeProvider.System);

    private static IConfiguration LoadConfiguration()
    {
        var environment = Environment.GetEnvironmentVariable("DOTNET_ENVIRONMENT") ?? Environment.GetEnvironmentVariable("ASPNETCORE_ENVIRONMENT") ?? "Production";
        return new ConfigurationBuilder()
            .SetBasePath(AppContext.BaseDirectory)
            .AddJsonFile("appsettings.json", optional: true)
            .AddJsonFile($"appsettings.{environment}.json", optional: true)
            .AddEnvironmentVariables()
            .Build();
    }
}
