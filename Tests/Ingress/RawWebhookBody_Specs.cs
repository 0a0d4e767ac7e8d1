using System.Net;
using System.Net.Http.Headers;
using System.Text;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using TwitterBot.Contracts;
using TwitterBot.Conventions.Webhooks;
using TwitterBot.Ingress.Endpoints;
using TwitterBot.Ingress.Webhooks;
using TwitterBot.Tests.Support;

namespace TwitterBot.Tests.Ingress;

/// <summary>How the webhook body is read: never sized by what the request declares, only by what arrives.</summary>
public static class RawWebhookBody_Specs
{
    public class When_a_request_declares_a_body_larger_than_it_sends
    {
        private const int Declared = 1024 * 1024;

        [Test]
        public async Task Should_not_allocate_what_it_declares()
        {
            var sent = "{\"for_user_id\":\"1\"}"u8.ToArray();
            await RawWebhookBody.BindAsync(Request(sent)); // JIT and first-use allocations are not the body's

            var context = Request(sent);
            var before = GC.GetAllocatedBytesForCurrentThread();
            var binding = RawWebhookBody.BindAsync(context);
            var allocated = GC.GetAllocatedBytesForCurrentThread() - before;

            // A stream that is already complete binds synchronously: everything was allocated on this thread.
            Assert.That(binding.IsCompletedSuccessfully, Is.True);
            Assert.That(allocated, Is.LessThan(Declared / 16), "bytes allocated to bind a body of a few bytes declared as 1 MiB");
            Assert.That((await binding)!.Bytes.ToArray(), Is.EqualTo(sent));
        }

        private static DefaultHttpContext Request(byte[] sent)
        {
            var services = new ServiceCollection().AddSingleton(Options.Create(new WebhookReceiverOptions())).BuildServiceProvider();
            var context = new DefaultHttpContext { RequestServices = services };
            context.Request.ContentType = "application/json";
            context.Request.ContentLength = Declared;
            context.Request.Body = new MemoryStream(sent);
            return context;
        }
    }

    public class When_a_body_is_larger_than_the_first_buffer : IngressSpec
    {
        [Test]
        public async Task Should_verify_and_parse_every_byte_of_it()
        {
            var text = string.Concat(Enumerable.Range(0, 2000).Select(i => $"{i % 10}"));
            var body = IngressFactory.DirectMessage("1000000000000000077", text: text + text + text + text + text);
            Assert.That(body, Has.Length.GreaterThan(2 * 4096), "the body spans several buffer sizes");

            using var response = await Ingress.PostWebhookAsync(body);

            Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.OK));
            Assert.That(Harness.Published.Select<DirectMessageReceived>().Single().Context.Message.Text, Is.EqualTo(text + text + text + text + text));
        }
    }

    public class When_a_body_without_a_declared_length_is_over_the_limit : IngressSpec
    {
        [Test]
        public async Task Should_answer_413()
        {
            var body = Encoding.UTF8.GetBytes($$"""{"for_user_id":"{{TestCredentials.BotUserId}}","padding":"{{new string('x', 1024 * 1024)}}"}""");
            using var request = new HttpRequestMessage(HttpMethod.Post, "/webhooks") { Content = new StreamContent(new MemoryStream(body)) };
            request.Content.Headers.ContentType = new MediaTypeHeaderValue("application/json");
            request.Headers.TransferEncodingChunked = true;
            request.Headers.TryAddWithoutValidation(WebhookSigner.SignatureHeader, new WebhookSigner(TestCredentials.ConsumerSecret).Sign(body));

            using var response = await Ingress.CreateClient().SendAsync(request);

            Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.RequestEntityTooLarge));
        }
    }
}
