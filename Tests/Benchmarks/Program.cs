using TwitterBot.Benchmarks;

// Verbs for the side benchmarks; the default run, or the overload profile (--profile overload), otherwise.
return args switch
{
    ["xchat", ..] => XChatCost.Run(args, Console.Out),
    ["startup", ..] => await StartupRun.RunAsync(BenchmarkProfile.FromArguments(args),
        int.Parse(args.SkipWhile(a => a != "--starts").Skip(1).FirstOrDefault() ?? "10", System.Globalization.CultureInfo.InvariantCulture), Console.Out),
    ["quota", ..] => await QuotaBenchmark.RunAsync(BenchmarkProfile.FromArguments(args).ProcessorDirectory, Console.Out),
    _ when args.SkipWhile(a => a != "--profile").Skip(1).FirstOrDefault() == OverloadProfile.Name
        => await OverloadRun.RunAsync(OverloadProfile.FromArguments(args), Console.Out),
    _ => await BenchmarkRun.RunAsync(BenchmarkProfile.FromArguments(args), Console.Out),
};

/// <summary>Internal so that specs referencing this tool and the services see one <c>Program</c>, the Ingress's.</summary>
internal sealed partial class Program;
