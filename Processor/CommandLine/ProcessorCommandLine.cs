using System.CommandLine;
using Microsoft.Extensions.Configuration;
using TwitterBot.Processor.DeadLetters;
using TwitterBot.Processor.Extensions;
using TwitterBot.Processor.Quota;
using TwitterBot.Processor.XAccount;

namespace TwitterBot.Processor.CommandLine;

/// <summary>
/// Operator commands of the Processor's binary: <c>dotnet TwitterBot.Processor.dll &lt;verb&gt; …</c>, with
/// <c>--help</c> on every verb. The verbs live with what they operate (<see cref="DeadLetterCommands"/>,
/// <see cref="XAccountCommands"/>) and all run through one <see cref="VerbRunner"/>. Configuration comes from
/// the same appsettings and environment variables as the service. Exit codes (<see cref="ExitCodes"/>): 0 done,
/// 1 refused or failed, 2 invalid usage or configuration.
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
        var runner = new VerbRunner(() => services.Provider, args.FirstOrDefault() ?? "");
        var root = new RootCommand("TwitterBot Processor. Without a verb (host arguments such as --urls or --environment allowed) it starts the service.");
        foreach (var command in DeadLetterCommands.Create(runner).Concat(XAccountCommands.Create(runner)).Concat(XChat.XChatCommands.Create(runner)))
        {
            root.Subcommands.Add(command);
        }

        var invocation = new InvocationConfiguration { EnableDefaultExceptionHandler = false };
        if (output is not null)
        {
            invocation.Output = output;
            invocation.Error = output;
        }

        var parse = root.Parse(args);
        if (parse.Errors.Count == 0)
        {
            return await parse.InvokeAsync(invocation, cancellationToken);
        }

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

    /// <summary>The Processor's options, X clients and broker plumbing, built the first time a verb needs them.</summary>
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
            builder.AddXAccountClients();
            builder.AddDeadLetterQueues();
            builder.AddQuotaReport();
            return builder.Build();
        }

        public void Dispose() => _host?.Dispose();
    }

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
