using TwitterBot.Benchmarks;

return args.FirstOrDefault() == "quota"
    ? await QuotaBenchmark.RunAsync(BenchmarkProfile.FromArguments(args).ProcessorDirectory, Console.Out)
    : await BenchmarkRun.RunAsync(BenchmarkProfile.FromArguments(args), Console.Out);

/// <summary>Internal so that specs referencing this tool and the services see one <c>Program</c>, the Ingress's.</summary>
internal sealed partial class Program;
