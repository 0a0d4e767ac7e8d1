using System.Net;
using System.Net.Http.Headers;
using System.Text;
using Microsoft.Extensions.Logging;
using TwitterBot.Contracts;
using TwitterBot.Conventions.Webhooks;
using TwitterBot.Ingress.Webhooks;
using TwitterBot.Tests.Support;

namespace TwitterBot.Tests.Ingress;

/// <summary>What the Ingress refuses, with which status, and that a refusal publishes nothing.</summary>
public static class WebhookRejection_Specs
{
    public class When_a_signed_body_is_not_an_X_event : IngressSpec
    {
        [TestCase("{ this is not json")]
        [TestCase("""{"hello":"world"}""")]
        [TestCase("""{"data":{"event_type":"dm.received","payload":{}},"for_user_id":"4337869213"}""")]
        public async Task Should_answer_400_publish_nothing_and_log_the_request_without_the_body(string body)
        {
            using var response = await Ingress.PostWebhookAsync(body);

            Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.BadRequest));
            Assert.That(await Harness.Published.Any<DirectMessageReceived>(), Is.False);
            var logged = Ingress.Logs.Messages(LogLevel.Warning).Single(m => m.Contains("is not a valid X event", StringComparison.Ordinal));
            Assert.That(logged, Does.Contain($"({body.Length} bytes)").And.Not.Contain(body));
        }
    }

    public class When_the_body_is_too_large : IngressSpec
    {
        [Test]
        public async Task Should_answer_413_and_publish_nothing()
        {
            var body = Encoding.UTF8.GetBytes($$"""{"for_user_id":"{{TestCredentials.BotUserId}}","padding":"{{new string('x', 1024 * 1024)}}"}""");

            using var response = await Ingress.PostWebhookAsync(body);

            Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.RequestEntityTooLarge));
            Assert.That(await Harness.Published.Any<DirectMessageReceived>(), Is.False);
        }
    }

    public class When_the_body_is_not_declared_json : IngressSpec
    {
        [TestCase("text/plain")]
        [TestCase("application/x-www-form-urlencoded")]
        [TestCase(null)]
        public async Task Should_answer_415_and_publish_nothing(string? contentType)
        {
            var body = XSamples.Bytes(XSamples.DirectMessage);
            using var request = new HttpRequestMessage(HttpMethod.Post, "/webhooks") { Content = new ByteArrayContent(body) };
            request.Content.Headers.ContentType = contentType is null ? null : new MediaTypeHeaderValue(contentType);
            request.Headers.TryAddWithoutValidation(WebhookSigner.SignatureHeader, new WebhookSigner(TestCredentials.ConsumerSecret).Sign(body));

            using var response = await Ingress.CreateClient().SendAsync(request);

            Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.UnsupportedMediaType));
            Assert.That(await Harness.Published.Any<DirectMessageReceived>(), Is.False);
        }
    }

    public class When_another_method_is_used : IngressSpec
    {
        [TestCase("PUT")]
        [TestCase("DELETE")]
        [TestCase("PATCH")]
        public async Task Should_answer_405(string method)
        {
            using var request = new HttpRequestMessage(new HttpMethod(method), "/webhooks");

            using var response = await Ingress.CreateClient().SendAsync(request);

            Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.MethodNotAllowed));
        }
    }

    public class When_X_signs_its_crc_challenge : IngressSpec
    {
        private const string Query = "crc_token=abc123&nonce=n0nce";

        [Test]
        public async Task Should_answer_a_challenge_signed_with_our_secret()
        {
            using var response = await GetSignedChallengeAsync(TestCredentials.ConsumerSecret);

            Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.OK));
        }

        [Test]
        public async Task Should_answer_401_to_a_challenge_signed_with_another_secret()
        {
            using var response = await GetSignedChallengeAsync("not-our-secret");

            Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.Unauthorized));
        }

        private async Task<HttpResponseMessage> GetSignedChallengeAsync(string secret)
        {
            using var request = new HttpRequestMessage(HttpMethod.Get, $"/webhooks?{Query}");
            request.Headers.TryAddWithoutValidation(WebhookSigner.SignatureHeader, new WebhookSigner(secret).Sign(Encoding.UTF8.GetBytes(Query)));
            return await Ingress.CreateClient().SendAsync(request);
        }
    }
}
