namespace TwitterBot.Tests.Support;

/// <summary>The real Processor as its own OS process, from its build beside this spec's.</summary>
public static class ProcessorProcess
{
    public static ServiceProcess Start(IDictionary<string, string?> settings) =>
        ServiceProcess.Start(ServiceBuilds.Directory("Processor"), "TwitterBot.Processor.dll", settings, environment: "Testing", logLevel: "Information");
}

/// <summary>The real Ingress as its own OS process; restarted on the same port, X's URL stays valid.</summary>
public static class IngressProcess
{
    public static ServiceProcess Start(IDictionary<string, string?> settings, int? port = null) =>
        ServiceProcess.Start(ServiceBuilds.Directory("Ingress"), "TwitterBot.Ingress.dll", settings, environment: "Testing", logLevel: "Information", port: port);
}
