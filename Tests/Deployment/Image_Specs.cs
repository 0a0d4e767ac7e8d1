using TwitterBot.Tests.Common;

namespace TwitterBot.Tests.Deployment;

/// <summary>build/Service.Dockerfile and the service processes the specs and the benchmarks start agree on each service's runtime settings.</summary>
public static class Image_Specs
{
    public class When_the_image_definition_is_read
    {
        [TestCase("Ingress")]
        [TestCase("Processor")]
        public void Should_set_the_runtime_environment_the_measured_processes_run_with(string service)
        {
            var image = RuntimeEnvironmentOfStage(service);

            Assert.That(image, Is.Not.Empty, $"the {service} stage sets no DOTNET_ variable");
            Assert.That(image, Is.EquivalentTo(ServiceProcess.ImageEnvironment[$"TwitterBot.{service}.dll"]));
        }

        [Test]
        public void Should_end_with_the_stage_of_the_service_it_is_built_for() =>
            Assert.That(Lines().Last(line => line.Length > 0), Is.EqualTo("FROM ${SERVICE}"));
    }

    private static string[] Lines() =>
        File.ReadAllLines(Path.Combine(TestContext.CurrentContext.TestDirectory, "Fixtures", "Service.Dockerfile"));

    private static Dictionary<string, string> RuntimeEnvironmentOfStage(string stage) =>
        Lines()
            .SkipWhile(line => line != $"FROM runtime AS {stage}")
            .Skip(1)
            .TakeWhile(line => !line.StartsWith("FROM ", StringComparison.Ordinal))
            .Where(line => line.StartsWith("ENV DOTNET_", StringComparison.Ordinal))
            .Select(line => line["ENV ".Length..].Split('=', 2))
            .ToDictionary(pair => pair[0], pair => pair[1]);
}
