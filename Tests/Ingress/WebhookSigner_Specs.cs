using System.Text;
using TwitterBot.Conventions.Webhooks;
using TwitterBot.Ingress.Webhooks;

namespace TwitterBot.Tests.Ingress;

// Expected values computed outside .NET:
//   printf %s abc123 | openssl dgst -sha256 -hmac test-consumer-secret -binary | base64
//   printf %s '{"for_user_id":"4337869213"}' | openssl dgst -sha256 -hmac test-consumer-secret -binary | base64
public static class WebhookSigner_Specs
{
    private const string Secret = "test-consumer-secret";
    private const string Body = """{"for_user_id":"4337869213"}""";
    private const string BodySignature = "sha256=WrcF8yLWuitBkaNZBgujITrWdOzdyLaz7bBhnrsS/g4=";

    public class When_answering_a_crc_challenge
    {
        [Test]
        public void Should_answer_sha256_of_the_token_keyed_with_the_consumer_secret() =>
            Assert.That(new WebhookSigner(Secret).CrcResponseToken("abc123"),
                Is.EqualTo("sha256=qU/eCGihVsFTuKUtEiRGVEy6qaS2WMueqOYk7hYQ2kU="));
    }

    public class When_verifying_a_webhook_signature
    {
        private readonly WebhookSigner _signer = new(Secret);

        [Test]
        public void Should_accept_the_signature_X_computes_over_the_raw_body() =>
            Assert.That(_signer.IsValid(Encoding.UTF8.GetBytes(Body), BodySignature), Is.True);

        [Test]
        public void Should_reject_a_tampered_body() =>
            Assert.That(_signer.IsValid(Encoding.UTF8.GetBytes(Body.Replace("4337869213", "4337869214", StringComparison.Ordinal)), BodySignature), Is.False);

        [Test]
        public void Should_reject_a_signature_made_with_another_secret() =>
            Assert.That(_signer.IsValid(Encoding.UTF8.GetBytes(Body), new WebhookSigner("another-secret").Sign(Encoding.UTF8.GetBytes(Body))), Is.False);

        [TestCase(null, TestName = "Should_reject_a_missing_header")]
        [TestCase("", TestName = "Should_reject_an_empty_header")]
        [TestCase("WrcF8yLWuitBkaNZBgujITrWdOzdyLaz7bBhnrsS/g4=", TestName = "Should_reject_a_header_without_the_sha256_prefix")]
        [TestCase("sha1=WrcF8yLWuitBkaNZBgujITrWdOzdyLaz7bBhnrsS/g4=", TestName = "Should_reject_another_algorithm")]
        [TestCase("sha256=not base64!", TestName = "Should_reject_a_header_that_is_not_base64")]
        [TestCase("sha256=WrcF8yLWuitBkaNZBgujITrWdOzd", TestName = "Should_reject_a_truncated_signature")]
        [TestCase("sha256=WrcF8yLWuitBkaNZBgujITrWdOzdyLaz7bBhnrsS/g4=WrcF", TestName = "Should_reject_an_overlong_signature")]
        public void Should_reject_a_malformed_header(string? header) =>
            Assert.That(_signer.IsValid(Encoding.UTF8.GetBytes(Body), header), Is.False);
    }
}
