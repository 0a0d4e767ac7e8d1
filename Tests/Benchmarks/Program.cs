using TwitterBot.Benchmarks;

return args switch
{
    ["xchat", ..] => XChatCost.Run(args, Console.Out),
    ["quota", ..] => await QuotaBenchmark.RunAsync(BenchmarkProfile.FromArguments(args).ProcessorDirectory, Console.Out),
    _ => await BenchmarkRun.RunAsync(BenchmarkProfile.FromArguments(args), Console.Out),
};

/// <summary>Internal so that specs referencing this tool and the services see one <c>Program</c>, the Ingress's.</summary>
internal sealed partial class Program;
