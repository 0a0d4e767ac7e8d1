using System.Collections;
using System.Text.RegularExpressions;
using YamlDotNet.Serialization;
using TwitterBot.Conventions.Accounts;
using TwitterBot.Ingress.Webhooks;
using TwitterBot.Processor.Options;
using TwitterBot.ServiceDefaults;

namespace TwitterBot.Tests.Deployment;

/// <summary>compose.yaml stays true to the code: the services, their probes, and configuration keys that exist.</summary>
public static partial class Compose_Specs
{
    private static readonly Dictionary<object, object> Services = (Dictionary<object, object>)Load()["services"];

    private static Dictionary<object, object> Load() =>
        new DeserializerBuilder().Build().Deserialize<Dictionary<object, object>>(
            File.ReadAllText(Path.Combine(TestContext.CurrentContext.TestDirectory, "Fixtures", "compose.yaml")));

    private static Dictionary<object, object> Service(string name) => (Dictionary<object, object>)Services[name];

    private static IEnumerable<string> Strings(object? node) => node is IEnumerable items and not string ? items.Cast<object>().Select(i => i.ToString()!) : [];

    public class When_the_stack_is_read
    {
        [Test]
        public void Should_run_the_broker_store_trace_viewer_and_both_services() =>
            Assert.That(Services.Keys, Is.EquivalentTo(new[] { "rabbitmq", "postgres", "jaeger", "ingress", "processor" }));

        [Test]
        public void Should_publish_the_webhook_on_port_5756() =>
            Assert.That(Strings(Service("ingress")["ports"]), Has.Some.EndsWith("5756:5756"));

        [Test]
        public void Should_give_every_service_a_health_check() =>
            Assert.That(Services.Keys.Select(name => Service((string)name).ContainsKey("healthcheck")), Has.All.True);

        [Test]
        public void Should_start_services_only_after_what_they_need_is_healthy()
        {
            var conditions = Services.Values.Cast<Dictionary<object, object>>()
                .Where(service => service.ContainsKey("depends_on"))
                .SelectMany(service => ((Dictionary<object, object>)service["depends_on"]).Values.Cast<Dictionary<object, object>>())
                .Select(dependency => dependency["condition"]);

            Assert.That(conditions, Is.Not.Empty.And.All.EqualTo("service_healthy"));
        }

        [Test]
        public void Should_pin_every_image() =>
            Assert.That(Services.Values.Cast<Dictionary<object, object>>().Where(s => s.ContainsKey("image")).Select(s => (string)s["image"]),
                Has.All.Matches<string>(image => Regex.IsMatch(image, @":\d+(\.\d+)+") && !image.EndsWith(":latest", StringComparison.Ordinal)));

        [Test]
        public void Should_have_no_obsolete_version_key() => Assert.That(Load().ContainsKey("version"), Is.False);

        [TestCase("ingress", 5756)]
        [TestCase("processor", 5757)]
        public void Should_open_each_service_to_every_interface_of_its_container_on_the_port_it_is_probed_on(string service, int port)
        {
            // The services listen on loopback by default (appsettings.json); a container must say otherwise.
            var environment = (Dictionary<object, object>)Service(service)["environment"];
            var urls = environment.TryGetValue("Urls", out var value) ? ((string)value).Split(';').Select(url => new Uri(url)).ToList() : [];
            var probe = string.Join(' ', Strings(((Dictionary<object, object>)Service(service)["healthcheck"])["test"]));

            Assert.That(urls.Select(url => (url.Host, url.Port)), Is.EqualTo(new[] { ("0.0.0.0", port) }));
            Assert.That(probe, Does.Contain($"http://127.0.0.1:{port}/health/ready"));
        }
    }

    public class When_the_services_are_configured
    {
        [TestCase("ingress")]
        [TestCase("processor")]
        public void Should_only_set_configuration_keys_the_code_reads(string service)
        {
            var environment = (Dictionary<object, object>)Service(service)["environment"];
            var unknown = environment.Keys.Cast<string>().Where(key => !IsKnown(key)).ToList();

            Assert.That(unknown, Is.Empty);
        }

        [TestCase("ingress")]
        [TestCase("processor")]
        public void Should_take_every_secret_from_the_environment_file(string service)
        {
            var environment = (Dictionary<object, object>)Service(service)["environment"];
            var secrets = environment.Where(e => SecretKey().IsMatch((string)e.Key)).Select(e => (string)e.Value).ToList();
            var literals = secrets.Select(value => Reference().Replace(value, string.Empty)).Where(rest => rest.Length > 0 && !rest.StartsWith("Host=", StringComparison.Ordinal) || LiteralPassword().IsMatch(rest));

            Assert.That(secrets, Is.Not.Empty);
            Assert.That(literals, Is.Empty, "every secret comes from .env as ${…}");
        }

        private static bool IsKnown(string key)
        {
            if (key is "OTEL_EXPORTER_OTLP_ENDPOINT" or "Urls")
            {
                return true;
            }

            var path = key.Split("__");
            return Sections.Any(section => path.Take(section.Prefix.Length).SequenceEqual(section.Prefix) && Exists(section.Type, path[section.Prefix.Length..]));
        }

        private static bool Exists(Type type, string[] path)
        {
            if (path.Length == 0)
            {
                return true;
            }

            var item = type.GetInterfaces().Concat([type]).FirstOrDefault(i => i.IsGenericType && i.GetGenericTypeDefinition() == typeof(IList<>));
            if (item is not null)
            {
                return int.TryParse(path[0], out _) && Exists(item.GetGenericArguments()[0], path[1..]);
            }

            var property = type.GetProperty(path[0]);
            return property is not null && Exists(property.PropertyType, path[1..]);
        }

        private static readonly (string[] Prefix, Type Type)[] Sections =
        [
            (["TwitterBot"], typeof(TwitterBotOptions)),
            (["Messaging", "Rabbit"], typeof(RabbitMqOptions)),
            (["Gateway"], typeof(GatewayOptions)),
            (["Processor"], typeof(ProcessorOptions)),
            (["Ingress"], typeof(WebhookReceiverOptions)),
        ];
    }

    [GeneratedRegex("(Secret|Password|Token|ConnectionString)$")]
    private static partial Regex SecretKey();

    [GeneratedRegex(@"\$\{[^}]*\}")]
    private static partial Regex Reference();

    [GeneratedRegex("Password=[^;]+")]
    private static partial Regex LiteralPassword();
}
