using TwitterBot.Benchmarks;

namespace TwitterBot.Tests.Support;

/// <summary>The real Processor as its own OS process, from its build beside this spec's.</summary>
public static class ProcessorProcess
{
    public static ServiceProcess Start(IDictionary<string, string?> settings) =>
        ServiceProcess.Start(ServiceBuilds.Directory("Processor"), "TwitterBot.Processor.dll", settings, environment: "Testing", logLevel: "Information");
}
