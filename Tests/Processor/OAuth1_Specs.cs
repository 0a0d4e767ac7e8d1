using System.Net;
using Microsoft.Extensions.Options;
using TwitterBot.Conventions.Accounts;
using TwitterBot.Processor.Clients.X;

namespace TwitterBot.Tests.Processor;

public static class OAuth1_Specs
{
    // X's "Creating a signature" reference request (product.md).
    private static readonly Uri StatusUpdate = new("https://api.twitter.com/1.1/statuses/update.json?include_entities=true");
    private static readonly KeyValuePair<string, string>[] Form = [KeyValuePair.Create("status", "Hello Ladies + Gentlemen, a signed OAuth request!")];
    private static readonly OAuth1Credentials Reference = new(
        ConsumerKey: "xvz1evFS4wEEPTGEFPHBog",
        ConsumerSecret: "kAcSOqF21Fu85e7zjz7ZN2U4ZRhfV3WpwPAoE3Z7kBw",
        Token: "370773112-GmHxMAgYyLbNEtIKZeRNFsMKPR9EyMZeS9weJAEb",
        TokenSecret: "LswwdoUaIvS8ltyTt5jkRh4J50vUPVVHtR2YPi5kE");
    private const string Nonce = "kYjzVBB8Y0ZFabxSWbWovY3uYSQ2pTgmZeNu2VS4cg";
    private const long Timestamp = 1318622958;

    public class When_signing_X_reference_request
    {
        private readonly string _authorization = OAuth1.AuthorizationParameter(HttpMethod.Post, StatusUpdate, Form, Reference, Nonce, Timestamp);

        [Test]
        public void Should_produce_X_reference_signature() =>
            Assert.That(_authorization, Does.Contain("oauth_signature=\"hCtSmYh%2BiHYCEqBWrE7C7hYmtUk%3D\""));

        [Test]
        public void Should_carry_every_oauth_parameter_percent_encoded() =>
            Assert.That(_authorization, Does.StartWith(
                "oauth_consumer_key=\"xvz1evFS4wEEPTGEFPHBog\", oauth_nonce=\"kYjzVBB8Y0ZFabxSWbWovY3uYSQ2pTgmZeNu2VS4cg\", " +
                "oauth_signature=\"hCtSmYh%2BiHYCEqBWrE7C7hYmtUk%3D\", oauth_signature_method=\"HMAC-SHA1\", " +
                "oauth_timestamp=\"1318622958\", oauth_token=\"370773112-GmHxMAgYyLbNEtIKZeRNFsMKPR9EyMZeS9weJAEb\", oauth_version=\"1.0\""));

        [Test]
        public void Should_build_X_reference_signature_base_string()
        {
            var parameters = new Dictionary<string, string>
            {
                ["oauth_consumer_key"] = Reference.ConsumerKey,
                ["oauth_nonce"] = Nonce,
                ["oauth_signature_method"] = "HMAC-SHA1",
                ["oauth_timestamp"] = "1318622958",
                ["oauth_token"] = Reference.Token,
                ["oauth_version"] = "1.0",
            }.Concat(OAuth1.QueryParameters(StatusUpdate)).Concat(Form);

            Assert.That(OAuth1.SignatureBaseString(HttpMethod.Post, StatusUpdate, parameters), Is.EqualTo(
                "POST&https%3A%2F%2Fapi.twitter.com%2F1.1%2Fstatuses%2Fupdate.json&include_entities%3Dtrue%26" +
                "oauth_consumer_key%3Dxvz1evFS4wEEPTGEFPHBog%26oauth_nonce%3DkYjzVBB8Y0ZFabxSWbWovY3uYSQ2pTgmZeNu2VS4cg%26" +
                "oauth_signature_method%3DHMAC-SHA1%26oauth_timestamp%3D1318622958%26" +
                "oauth_token%3D370773112-GmHxMAgYyLbNEtIKZeRNFsMKPR9EyMZeS9weJAEb%26oauth_version%3D1.0%26" +
                "status%3DHello%2520Ladies%2520%252B%2520Gentlemen%252C%2520a%2520signed%2520OAuth%2520request%2521"));
        }
    }

    public class When_the_handler_signs_a_json_request
    {
        [Test]
        public async Task Should_sign_without_the_json_body_in_the_base_string()
        {
            var inner = new CapturingHandler();
            var options = Options.Create(new TwitterBotOptions { Auth = { ConsumerKey = Reference.ConsumerKey, ConsumerSecret = Reference.ConsumerSecret } });
            using var client = new HttpClient(new OAuth1SigningHandler(options, TimeProvider.System) { InnerHandler = inner });
            using var request = new HttpRequestMessage(HttpMethod.Post, "https://api.twitter.com/1.1/direct_messages/events/new.json")
            {
                Content = new StringContent("""{"event":{"type":"message_create"}}""", System.Text.Encoding.UTF8, "application/json"),
            };
            request.Options.Set(XUserToken.OptionKey, new XUserToken(Reference.Token, Reference.TokenSecret));

            using var _ = await client.SendAsync(request);

            var oauth = inner.Authorization!.Split(", ").Select(p => p.Split('=', 2))
                .ToDictionary(p => p[0], p => Uri.UnescapeDataString(p[1].Trim('"')));
            var recomputed = OAuth1.Signature(HttpMethod.Post, request.RequestUri!,
                oauth.Where(p => p.Key != "oauth_signature"), Reference.ConsumerSecret, Reference.TokenSecret);
            Assert.That(oauth["oauth_signature"], Is.EqualTo(recomputed));
        }

        [Test]
        public void Should_refuse_a_request_without_a_user_token()
        {
            var options = Options.Create(new TwitterBotOptions { Auth = { ConsumerKey = "k", ConsumerSecret = "s" } });
            using var client = new HttpClient(new OAuth1SigningHandler(options, TimeProvider.System) { InnerHandler = new CapturingHandler() });

            Assert.That(() => client.PostAsync(new Uri("https://api.twitter.com/1.1/x.json"), null), Throws.InvalidOperationException);
        }

        private sealed class CapturingHandler : HttpMessageHandler
        {
            public string? Authorization { get; private set; }

            protected override Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
            {
                Assert.That(request.Headers.Authorization?.Scheme, Is.EqualTo("OAuth"));
                Authorization = request.Headers.Authorization!.Parameter;
                return Task.FromResult(new HttpResponseMessage(HttpStatusCode.OK));
            }
        }
    }
}
