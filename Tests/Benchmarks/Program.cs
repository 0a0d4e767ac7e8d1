using TwitterBot.Benchmarks;

return await BenchmarkRun.RunAsync(BenchmarkProfile.FromArguments(args), Console.Out);

/// <summary>Internal so that specs referencing this tool and the services see one <c>Program</c>, the Ingress's.</summary>
internal sealed partial class Program;
