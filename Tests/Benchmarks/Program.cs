using TwitterBot.Benchmarks;

if (args is ["xchat", ..])
    return XChatCost.Run(args, Console.Out);

return await BenchmarkRun.RunAsync(BenchmarkProfile.FromArguments(args), Console.Out);

/// <summary>Internal so that specs referencing this tool and the services see one <c>Program</c>, the Ingress's.</summary>
internal sealed partial class Program;
