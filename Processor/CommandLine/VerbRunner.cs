using System.CommandLine;
using Microsoft.Extensions.Options;

namespace TwitterBot.Processor.CommandLine;

/// <summary>What a verb's action gets: the parsed line, where to write, and the Processor's services.</summary>
public sealed class VerbContext(ParseResult parse, Func<IServiceProvider> services)
{
    public ParseResult Parse { get; } = parse;

    public TextWriter Output => Parse.InvocationConfiguration.Output;

    /// <summary>Built the first time a verb asks, so that <c>--help</c> and usage errors need no configuration.</summary>
    public IServiceProvider Services => services();

    public T Get<T>() where T : notnull => Services.GetRequiredService<T>();

    public T? Value<T>(Option<T> option) => Parse.GetValue(option);

    public T? Value<T>(Argument<T> argument) => Parse.GetValue(argument);
}

/// <summary>A failure a group of verbs expects, already put in words for the operator (written to the output).</summary>
public sealed record VerbFailure(int ExitCode, string Message);

/// <summary>
/// The one way every verb runs. A verb group builds its <see cref="Command"/>s and gives each action to
/// <see cref="Runs"/>; failures end here, in one place: first the group's own explanation of what it expects
/// (X's refusals, say) on the output, then invalid configuration by key (exit 2) and anything else as
/// "<c>&lt;verb&gt; failed: …</c>" (exit 1) on the error stream. Cancellation is not a failure and propagates.
/// </summary>
public sealed class VerbRunner(Func<IServiceProvider> services, string verb)
{
    public Command Runs(Command command, Func<VerbContext, CancellationToken, Task<int>> action, Func<Exception, VerbFailure?>? explain = null)
    {
        command.SetAction(async (parse, cancellationToken) =>
        {
            try
            {
                return await action(new VerbContext(parse, services), cancellationToken);
            }
            catch (Exception failure)
            {
                var explained = explain?.Invoke(failure);
                if (explained is null && failure is OperationCanceledException)
                {
                    throw;
                }

                return await ReportAsync(parse.InvocationConfiguration, failure, explained);
            }
        });
        return command;
    }

    private async Task<int> ReportAsync(InvocationConfiguration invocation, Exception failure, VerbFailure? explained)
    {
        if (explained is not null)
        {
            await invocation.Output.WriteLineAsync(explained.Message);
            return explained.ExitCode;
        }

        if (failure is OptionsValidationException invalid)
        {
            foreach (var message in invalid.Failures)
            {
                await invocation.Error.WriteLineAsync(message);
            }

            return ExitCodes.Invalid;
        }

        await invocation.Error.WriteLineAsync($"{verb} failed: {failure.Message}");
        return ExitCodes.Failed;
    }
}

/// <summary>The commands' exit codes, for scripts.</summary>
public static class ExitCodes
{
    public const int Done = 0;

    /// <summary>X refused, something is unreachable, or <c>doctor</c> found a problem.</summary>
    public const int Failed = 1;

    /// <summary>Invalid usage or configuration: nothing was asked of X.</summary>
    public const int Invalid = 2;
}
