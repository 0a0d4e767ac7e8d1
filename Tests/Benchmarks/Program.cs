using TwitterBot.Benchmarks;

return args.SkipWhile(a => a != "--profile").Skip(1).FirstOrDefault() == OverloadProfile.Name
    ? await OverloadRun.RunAsync(OverloadProfile.FromArguments(args), Console.Out)
    : await BenchmarkRun.RunAsync(BenchmarkProfile.FromArguments(args), Console.Out);

/// <summary>Internal so that specs referencing this tool and the services see one <c>Program</c>, the Ingress's.</summary>
internal sealed partial class Program;
