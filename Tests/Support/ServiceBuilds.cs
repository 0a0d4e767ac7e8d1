namespace TwitterBot.Tests.Support;

/// <summary>Where a service's build of this spec run's configuration is (beside the Tests' own).</summary>
public static class ServiceBuilds
{
    public static string Directory(string service)
    {
        var tests = new DirectoryInfo(TestContext.CurrentContext.TestDirectory); // Tests/bin/<Configuration>/net10.0
        return Path.GetFullPath(Path.Combine(tests.FullName, "..", "..", "..", "..", service, "bin", tests.Parent!.Name, tests.Name));
    }
}
