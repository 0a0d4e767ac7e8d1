using Microsoft.Extensions.Configuration;
using TwitterBot.Tests.Support;

namespace TwitterBot.Tests.Deployment;

/// <summary>
/// Where a service listens with nothing but its own configuration files: loopback, in Development as in
/// Production, so that a laptop's sandbox is not reachable from the network. Only an explicit <c>Urls</c>
/// (compose.yaml sets one) opens a service wider.
/// </summary>
public static class Listening_Specs
{
    public class When_a_service_runs_with_its_own_configuration
    {
        [TestCase("Ingress", "Development", 5756)]
        [TestCase("Ingress", "Production", 5756)]
        [TestCase("Processor", "Development", 5757)]
        [TestCase("Processor", "Production", 5757)]
        public void Should_listen_on_loopback_only(string service, string environment, int port)
        {
            var build = ServiceBuilds.Directory(service);
            var configuration = new ConfigurationBuilder()
                .SetBasePath(build)
                .AddJsonFile("appsettings.json", optional: false)
                .AddJsonFile($"appsettings.{environment}.json", optional: true)
                .Build();

            var urls = (configuration["Urls"] ?? "").Split(';', StringSplitOptions.RemoveEmptyEntries).Select(url => new Uri(url));

            Assert.That(urls.Select(url => (url.Host, url.Port)), Is.EqualTo(new[] { ("127.0.0.1", port) }));
        }
    }
}
