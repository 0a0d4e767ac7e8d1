using System.Collections.Concurrent;
using System.Diagnostics.Metrics;
using Microsoft.Extensions.DependencyInjection;
using TwitterBot.Ingress.Webhooks;
using TwitterBot.Tests.Support;

namespace TwitterBot.Tests.Ingress;

public static class IngressMetrics_Specs
{
    public class When_a_delivery_mixes_messages_echoes_and_other_events : IngressSpec
    {
        [Test]
        public async Task Should_count_each_event_by_type_and_outcome()
        {
            var counted = new ConcurrentDictionary<(string Type, string Outcome), long>();
            var meters = Ingress.Services.GetRequiredService<IMeterFactory>();
            using var listener = new MeterListener
            {
                InstrumentPublished = (instrument, listener) =>
                {
                    if (instrument.Meter.Scope == meters && instrument.Name == IngressMetrics.EventsInstrument)
                    {
                        listener.EnableMeasurementEvents(instrument);
                    }
                },
            };
            listener.SetMeasurementEventCallback<long>((_, value, tags, _) =>
            {
                var tag = tags.ToArray().ToDictionary(t => t.Key, t => (string)t.Value!);
                counted.AddOrUpdate((tag["event.type"], tag["outcome"]), value, (_, total) => total + value);
            });
            listener.Start();

            using var batch = await Ingress.PostWebhookAsync(XSamples.Bytes(XSamples.Batch));
            using var typing = await Ingress.PostWebhookAsync(XSamples.Bytes(XSamples.IndicateTyping));

            Assert.That(counted, Is.EquivalentTo(new Dictionary<(string, string), long>
            {
                [(XActivityTypes.Received, "published")] = 2,
                [(XActivityTypes.Sent, "published")] = 1,
                [("direct_message_indicate_typing_events", "dropped")] = 1,
            }));
        }
    }
}
