using System.Net;
using System.Text.Json;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using TwitterBot.Conventions.Accounts;
using TwitterBot.Ingress.Webhooks;
using TwitterBot.Tests.Support;

namespace TwitterBot.Tests.Ingress;

/// <summary>
/// Property: whatever X's samples are mutated into, once signed, the Ingress answers 200, 400, 413 or 415,
/// never 500, and nothing escapes the parser or the translator. Seeds are fixed, so a failure reproduces.
/// </summary>
public static class WebhookFuzz_Specs
{
    private static readonly string[] Files =
    [
        XSamples.DirectMessage, XSamples.QuickReplyResponse, XSamples.IndicateTyping, XSamples.MarkRead,
        XSamples.OtherEvents, XSamples.XActivityReceived, XSamples.XActivitySent, XSamples.Batch,
    ];

    private static readonly HttpStatusCode[] Expected =
        [HttpStatusCode.OK, HttpStatusCode.BadRequest, HttpStatusCode.RequestEntityTooLarge, HttpStatusCode.UnsupportedMediaType];

    public class When_signed_bodies_are_random_mutations_of_the_samples : IngressSpec
    {
        private const int Cases = 2_000;

        [Test]
        public async Task Should_never_answer_500_nor_log_an_unhandled_exception()
        {
            var samples = JsonMutator.Samples(Files);
            var failures = new List<string>();
            for (var seed = 0; seed < Cases; seed++)
            {
                var mutator = new JsonMutator(seed);
                var (name, sample) = samples[seed % samples.Count];
                var body = mutator.Mutate(sample);
                try
                {
                    using var response = await Ingress.PostWebhookAsync(body);
                    if (!Expected.Contains(response.StatusCode))
                    {
                        failures.Add($"{name}, {mutator}: answered {(int)response.StatusCode}");
                    }
                }
                catch (Exception exception)
                {
                    failures.Add($"{name}, {mutator}: {exception.GetType().Name}: {exception.Message}");
                }
            }

            Assert.That(failures, Is.Empty, string.Join(Environment.NewLine, failures.Take(10)));
            Assert.That(Ingress.Logs.Lines.Where(line => line.Level >= LogLevel.Error).Select(line => line.Message), Is.Empty);
        }
    }

    public class When_the_translator_reads_random_mutations_of_the_samples
    {
        private const int Cases = 10_000;

        [Test]
        public void Should_translate_them_or_refuse_them_as_not_X_events_and_throw_nothing_else()
        {
            var bots = new BotAccounts(Options.Create(new TwitterBotOptions
            {
                Bots = [new BotOptions { UserId = TestCredentials.BotUserId, BotId = TestCredentials.BotId }, new BotOptions { UserId = "3001969357", BotId = "another-bot" }],
            }));
            var translator = new WebhookEventTranslator(bots, TimeProvider.System);
            var samples = JsonMutator.Samples(Files);
            var failures = new List<string>();
            for (var seed = 0; seed < Cases; seed++)
            {
                var mutator = new JsonMutator(1_000_000 + seed);
                var (name, sample) = samples[seed % samples.Count];
                try
                {
                    translator.Translate(WebhookEnvelope.From(WebhookBody.Parse(mutator.Mutate(sample))));
                }
                catch (Exception exception) when (exception is JsonException or UnrecognizedWebhookException)
                {
                    // refused as a whole: answered 400
                }
                catch (Exception exception)
                {
                    failures.Add($"{name}, {mutator}: {exception.GetType().Name}: {exception.Message}");
                }
            }

            Assert.That(failures, Is.Empty, string.Join(Environment.NewLine, failures.Take(10)));
        }
    }
}
