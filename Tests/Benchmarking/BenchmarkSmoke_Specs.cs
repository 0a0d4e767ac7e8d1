using TwitterBot.Benchmarks;
using TwitterBot.Tests.Support;

namespace TwitterBot.Tests.Benchmarking;

public static class BenchmarkSmoke_Specs
{
    /// <summary>CI runs only this seconds-long profile: it proves the benchmark tool works, it quotes no number.</summary>
    [Category("Integration")]
    [NonParallelizable]
    public class When_the_benchmark_tool_runs_its_smoke_profile
    {
        [Test]
        public async Task Should_run_every_scenario_against_the_real_services_and_write_the_report()
        {
            var report = Path.Combine(Path.GetTempPath(), $"benchmarks-{Guid.NewGuid():N}.md");

            try
            {
                var exitCode = await BenchmarkRun.RunAsync(BenchmarkProfile.Smoke(ServiceBuilds.Directory("Ingress"), ServiceBuilds.Directory("Processor"), report), TestContext.Out);

                Assert.That(exitCode, Is.Zero, "every accepted webhook was found in RabbitMQ");
                var text = await File.ReadAllTextAsync(report);
                Assert.That(text, Does.Contain("| 100/s |").And.Contain("| yes (").And.Contain("broker ceiling").And.Contain("pipeline overhead")
                    .And.Contain("Processor throughput").And.Contain("peak RSS").And.Contain("minimal endpoint"));
            }
            finally
            {
                File.Delete(report);
            }
        }
    }
}
