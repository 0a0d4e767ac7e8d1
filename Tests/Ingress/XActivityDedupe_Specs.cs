using System.Net;
using System.Text.Json.Nodes;
using TwitterBot.Contracts;
using TwitterBot.Tests.Support;

namespace TwitterBot.Tests.Ingress;

/// <summary>
/// Duplicates across envelopes, end to end (the Ingress, the real broker, the Processor's turn ledger on PostgreSQL):
/// the Ingress publishes a DM under <c>MessageIds.For(bot, DM id)</c> whichever API delivered it, and the ledger
/// answers each message id once. <c>event_uuid</c> names a delivery of the X Activity API only, so the DM id, which
/// both APIs and every redelivery share, is the key that stops both kinds of duplicate.
/// </summary>
[Category("Integration")]
public static class XActivityDedupe_Specs
{
    private const string DirectMessageId = "1860000000000000700";
    private static readonly SimulatedUser Person = new("3001969357", "Jordan Brinks", "furiouscamper");

    private static async Task PostAsync(ConversationRig rig, byte[] body)
    {
        using var response = await rig.Ingress.PostWebhookAsync(body);
        Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.OK));
    }

    public class When_the_X_Activity_API_redelivers_an_event_in_another_envelope
    {
        [Test]
        public async Task Should_ask_the_gateway_once_and_reply_once()
        {
            await using var rig = await ConversationRig.StartAsync();
            var processor = await rig.StartProcessorAsync();
            var consumed = processor.CountConsumed<DirectMessageReceived>();
            var first = XActivityDeliveries.DirectMessage(TestCredentials.BotUserId, "-6850472171600526495", DirectMessageId, Person, "only once, please");
            var again = JsonNode.Parse(first)!;
            again["data"]!["tag"] = "renamed after a PUT";
            again["data"]!["filter"]!["direction"] = "inbound";
            again["data"]!["payload"]!["users"]![Person.UserId]!["data"]!["name"] = "Jordan B.";

            await PostAsync(rig, first);
            await PostAsync(rig, System.Text.Encoding.UTF8.GetBytes(again.ToJsonString()));

            await consumed.WaitForAsync(2, ConversationRig.Patience);
            Assert.That(consumed.Faulted, Is.Zero);
            Assert.That(rig.Gateway.AskedTexts, Is.EqualTo(new[] { "only once, please" }));
            Assert.That(rig.X.Attempts.Select(dm => dm.Text), Is.EqualTo(new[] { "You said: only once, please" }));
        }
    }

    public class When_one_DM_arrives_through_the_Account_Activity_API_and_the_X_Activity_API
    {
        [Test]
        public async Task Should_ask_the_gateway_once_and_reply_once()
        {
            await using var rig = await ConversationRig.StartAsync();
            var processor = await rig.StartProcessorAsync();
            var consumed = processor.CountConsumed<DirectMessageReceived>();

            await PostAsync(rig, IngressFactory.DirectMessage(DirectMessageId, Person.UserId, "during the migration"));
            await PostAsync(rig, XActivityDeliveries.DirectMessage(TestCredentials.BotUserId, "8511582263942905822", DirectMessageId, Person, "during the migration"));

            await consumed.WaitForAsync(2, ConversationRig.Patience);
            Assert.That(consumed.Faulted, Is.Zero);
            Assert.That(rig.Gateway.AskedTexts, Is.EqualTo(new[] { "during the migration" }));
            Assert.That(rig.X.Attempts.Select(dm => dm.Text), Is.EqualTo(new[] { "You said: during the migration" }));
        }
    }
}
