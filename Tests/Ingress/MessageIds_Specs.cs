using TwitterBot.Conventions.Ids;
using TwitterBot.Ingress.Webhooks;

namespace TwitterBot.Tests.Ingress;

public static class MessageIds_Specs
{
    public class When_deriving_a_message_id_from_an_X_event
    {
        // Pinned (computed outside .NET: first 16 bytes of SHA-256("twitterbot:{bot}:{event}"), RFC 9562 v8 bits):
        // ids travel on the wire and in dedupe records, so the derivation must never change silently.
        [Test]
        public void Should_give_the_same_id_for_the_same_bot_and_event_in_every_release() =>
            Assert.That(MessageIds.For("4337869213", "954491830116155396"), Is.EqualTo(Guid.Parse("84aa8637-dd18-8d8a-a391-2db8e0c4c56c")));

        [Test]
        public void Should_give_different_ids_for_another_bot_or_event()
        {
            var id = MessageIds.For("4337869213", "954491830116155396");

            Assert.That(MessageIds.For("4337869214", "954491830116155396"), Is.Not.EqualTo(id));
            Assert.That(MessageIds.For("4337869213", "954491830116155397"), Is.Not.EqualTo(id));
        }
    }
}
