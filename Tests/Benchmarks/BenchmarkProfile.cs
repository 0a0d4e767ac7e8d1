using System.Globalization;

namespace TwitterBot.Benchmarks;

/// <summary>What to run, how long, and where the services' builds are.</summary>
/// <param name="CompareRate">
/// The rate offered, for <see cref="Hold"/>, to the Ingress and then to the baseline endpoint: above what
/// either can take, so that each one's accepted rate is its sustained capacity; 0 skips that comparison (the
/// procedure of the builds before it, for a like-for-like pair with them).
/// </param>
/// <param name="Environment">
/// Environment variables for both services (<c>--set NAME=VALUE</c>, repeatable), e.g. <c>DOTNET_TieredPGO=1</c>.
/// </param>
public sealed record BenchmarkProfile(
    string IngressDirectory,
    string ProcessorDirectory,
    string Output,
    IReadOnlyList<int> Rates,
    TimeSpan Hold,
    int PipelineMessages,
    int ProcessorMessages,
    TimeSpan BaselineHold,
    int Partitions = 16,
    bool WorkstationGc = false,
    int CompareRate = 8000,
    IReadOnlyDictionary<string, string>? Environment = null)
{
    /// <summary>Seconds-long: checks that the tool works, measures nothing worth quoting.</summary>
    public static BenchmarkProfile Smoke(string ingress, string processor, string output) =>
        new(ingress, processor, output, [100], TimeSpan.FromSeconds(2), 10, 200, TimeSpan.FromSeconds(2), CompareRate: 200);

    public static BenchmarkProfile FromArguments(string[] args)
    {
        string Value(string name, string fallback) => args.SkipWhile(a => a != name).Skip(1).FirstOrDefault() ?? fallback;
        var ingress = Value("--ingress", "artifacts/bench/Ingress");
        var processor = Value("--processor", "artifacts/bench/Processor");
        var output = Value("--output", "BENCHMARKS.md");
        return args.Contains("--smoke")
            ? Smoke(ingress, processor, output)
            : new BenchmarkProfile(
                ingress,
                processor,
                output,
                Value("--rates", "1000,2500,5000").Split(',').Select(r => int.Parse(r, CultureInfo.InvariantCulture)).ToList(),
                TimeSpan.FromSeconds(int.Parse(Value("--hold", "60"), CultureInfo.InvariantCulture)),
                int.Parse(Value("--pipeline-messages", "600"), CultureInfo.InvariantCulture),
                int.Parse(Value("--processor-messages", "20000"), CultureInfo.InvariantCulture),
                TimeSpan.FromSeconds(20),
                int.Parse(Value("--partitions", "16"), CultureInfo.InvariantCulture),
                Value("--gc", "server") == "workstation",
                int.Parse(Value("--compare-rate", "8000"), CultureInfo.InvariantCulture),
                args.Zip(args.Skip(1)).Where(pair => pair.First == "--set" && pair.Second.Contains('='))
                    .Select(pair => pair.Second.Split('=', 2))
                    .ToDictionary(setting => setting[0], setting => setting[1]));
    }
}
