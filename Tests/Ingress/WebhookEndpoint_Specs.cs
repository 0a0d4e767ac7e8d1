using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json.Nodes;
using TwitterBot.Contracts;
using TwitterBot.Conventions.Ids;
using TwitterBot.Conventions.Webhooks;
using TwitterBot.Ingress.Endpoints;
using TwitterBot.Ingress.Webhooks;
using TwitterBot.Tests.Support;

namespace TwitterBot.Tests.Ingress;

/// <summary>The Ingress's HTTP contract with X, hosted in memory with MassTransit's test harness.</summary>
public static class WebhookEndpoint_Specs
{
    public class When_X_sends_a_crc_challenge : IngressSpec
    {
        [Test]
        public async Task Should_answer_the_response_token_as_json()
        {
            var answer = await Ingress.CreateClient().GetFromJsonAsync<JsonObject>(new Uri("/webhooks?crc_token=abc123", UriKind.Relative));

            Assert.That(answer!["response_token"]!.GetValue<string>(), Is.EqualTo("sha256=qU/eCGihVsFTuKUtEiRGVEy6qaS2WMueqOYk7hYQ2kU="));
        }

        [TestCase("""{"response_token":"x"}""")]
        [TestCase("a b")]
        public async Task Should_refuse_to_sign_text_that_is_not_a_crc_token(string token)
        {
            using var response = await Ingress.CreateClient().GetAsync(new Uri($"/webhooks?crc_token={Uri.EscapeDataString(token)}", UriKind.Relative));

            Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.BadRequest));
        }

        [Test]
        public async Task Should_refuse_an_overlong_token()
        {
            using var response = await Ingress.CreateClient().GetAsync(new Uri($"/webhooks?crc_token={new string('a', CrcTokenFilter.MaxTokenLength + 1)}", UriKind.Relative));

            Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.BadRequest));
        }

        [Test]
        public async Task Should_answer_400_without_a_token()
        {
            using var response = await Ingress.CreateClient().GetAsync(new Uri("/webhooks", UriKind.Relative));

            Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.BadRequest));
        }
    }

    public class When_a_signed_direct_message_arrives : IngressSpec
    {
        [Test]
        public async Task Should_publish_one_DirectMessageReceived_under_a_deterministic_id_and_answer_200()
        {
            using var response = await Ingress.PostWebhookAsync(XSamples.Bytes(XSamples.DirectMessage));

            Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.OK));
            var published = Harness.Published.Select<DirectMessageReceived>().ToList();
            Assert.That(published, Has.Count.EqualTo(1));
            Assert.That(published[0].Context.Message.EventId, Is.EqualTo("954491830116155396"));
            Assert.That(published[0].Context.Message.BotId, Is.EqualTo(TestCredentials.BotId));
            Assert.That(published[0].Context.MessageId, Is.EqualTo(MessageIds.For(TestCredentials.BotUserId, "954491830116155396")));
            Assert.That(published[0].Context.Headers.Get<string>(ConversationKeys.Header), Is.EqualTo("4337869213:3001969357"));
        }
    }

    public class When_the_signature_does_not_match : IngressSpec
    {
        [Test]
        public async Task Should_answer_401_and_publish_nothing()
        {
            using var response = await Ingress.PostWebhookAsync(XSamples.Bytes(XSamples.DirectMessage), signature: "sha256=WrcF8yLWuitBkaNZBgujITrWdOzdyLaz7bBhnrsS/g4=");

            Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.Unauthorized));
            Assert.That(await Harness.Published.Any<DirectMessageReceived>(), Is.False);
        }

        [Test]
        public async Task Should_answer_401_to_a_body_tampered_after_signing()
        {
            var body = XSamples.Bytes(XSamples.DirectMessage);
            var signature = new WebhookSigner(TestCredentials.ConsumerSecret).Sign(body);
            var tampered = Encoding.UTF8.GetBytes(XSamples.Text(XSamples.DirectMessage).Replace("Hello World!", "Hello Mallory", StringComparison.Ordinal));

            using var response = await Ingress.PostWebhookAsync(tampered, signature);

            Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.Unauthorized));
            Assert.That(await Harness.Published.Any<DirectMessageReceived>(), Is.False);
        }
    }

    public class When_the_signature_is_missing : IngressSpec
    {
        [Test]
        public async Task Should_answer_401_and_publish_nothing()
        {
            using var response = await Ingress.PostWebhookAsync(XSamples.Bytes(XSamples.DirectMessage), sign: false);

            Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.Unauthorized));
            Assert.That(await Harness.Published.Any<DirectMessageReceived>(), Is.False);
        }
    }

    public class When_a_signed_body_is_not_an_X_event : IngressSpec
    {
        [Test]
        public async Task Should_answer_400_and_publish_nothing()
        {
            using var response = await Ingress.PostWebhookAsync("{ this is not json");

            Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.BadRequest));
            Assert.That(await Harness.Published.Any<DirectMessageReceived>(), Is.False);
        }
    }

    public class When_X_delivers_the_bots_own_message : IngressSpec
    {
        [Test]
        public async Task Should_answer_200_and_publish_it_as_the_accounts_DM_not_as_one_to_answer()
        {
            var echo = JsonNode.Parse(XSamples.Text(XSamples.DirectMessage))!;
            var create = echo["direct_message_events"]![0]!["message_create"]!;
            create["sender_id"] = TestCredentials.BotUserId;
            create["target"]!["recipient_id"] = "3001969357";

            using var response = await Ingress.PostWebhookAsync(echo.ToJsonString());

            Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.OK));
            Assert.That(await Harness.Published.Any<DirectMessageReceived>(), Is.False);
            Assert.That(Harness.Published.Select<DirectMessageSentByAccount>().Select(p => p.Context.Message.UserId), Is.EqualTo(new[] { "3001969357" }));
        }
    }

    public class When_a_probe_asks_whether_the_ingress_lives : IngressSpec
    {
        [Test]
        public async Task Should_answer_healthy()
        {
            using var response = await Ingress.CreateClient().GetAsync(new Uri("/health/live", UriKind.Relative));

            Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.OK));
            Assert.That(await response.Content.ReadAsStringAsync(), Is.EqualTo("Healthy"));
        }
    }
}
