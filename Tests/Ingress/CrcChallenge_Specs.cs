using System.Net;
using TwitterBot.Tests.Support;

namespace TwitterBot.Tests.Ingress;

/// <summary>A CRC challenge without its token is a plain 400, in every environment.</summary>
public static class CrcChallenge_Specs
{
    public class When_a_crc_challenge_lacks_its_token
    {
        [TestCase("/webhooks")]
        [TestCase("/webhooks?crc_token=")]
        [TestCase("/webhooks?nonce=n0nce")]
        public async Task Should_answer_a_plain_400_without_a_stack_trace_in_the_body_or_the_log(string path)
        {
            // Development is where a binding failure would throw and the developer exception page would render it.
            await using var ingress = new IngressFactory(TestSettings.Common(), useTestHarness: true, environment: "Development");

            using var response = await ingress.CreateClient().GetAsync(new Uri(path, UriKind.Relative));
            var body = await response.Content.ReadAsStringAsync();

            Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.BadRequest));
            Assert.That(body, Does.Contain("crc_token").And.Not.Contain("Exception").And.Not.Contain("   at "));
            Assert.That(ingress.Logs.Lines.Select(line => line.Message), Has.None.Contains("Exception").And.None.Contains("   at "));
        }
    }
}
