using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;
using TwitterBot.Contracts;
using TwitterBot.Conventions.Queues;
using TwitterBot.Processor.Clients.Gateway;
using TwitterBot.Processor.Conversations;
using TwitterBot.Tests.Support;

namespace TwitterBot.Tests.Integration;

/// <summary>What a gateway answer that cannot be used does to the turn, and to the other users of its partition, on the real broker and store.</summary>
[Category("Integration")]
public static class GatewayFailures_Specs
{
    private static readonly TimeSpan Patience = ConversationRig.Patience;

    public class When_the_gateway_answers_JSON_that_is_not_an_object
    {
        [TestCase("[]")]
        [TestCase("\"x\"")]
        [TestCase("null")]
        public async Task Should_ask_once_and_complete_the_turn_with_one_warning_and_nothing_dead_lettered(string body)
        {
            await using var rig = await ConversationRig.StartAsync();
            rig.Gateway.Override = _ => Results.Text(body, "application/json");
            var processor = await rig.StartProcessorAsync();
            var consumed = processor.CountConsumed<DirectMessageReceived>();

            await rig.PostAsync("1870000000000000901", "hello");
            await consumed.WaitForAsync(1, Patience);

            var warnings = processor.Logs.Lines.Where(line => line.Level == LogLevel.Warning && line.Category == typeof(GatewayClient).FullName).ToList();
            var state = await rig.Store.ScalarAsync<short>("SELECT state FROM conversation_turns WHERE event_id = '1870000000000000901'");
            var deadLetters = await rig.DeadLettersAsync();
            Assert.Multiple(() =>
            {
                Assert.That(rig.Gateway.AskedTexts, Is.EqualTo(new[] { "hello" }), "asked once: its answer was planned, not retried");
                Assert.That((consumed.Consumed, consumed.Faulted), Is.EqualTo((1, 0)));
                Assert.That((TurnState)state, Is.EqualTo(TurnState.Completed));
                Assert.That(deadLetters, Is.Zero);
                Assert.That(warnings, Has.Count.EqualTo(1), "the unknown shape is recorded once");
                Assert.That(rig.X.AllAccepted(), Is.Empty, "an empty answer sends nothing");
            });
        }
    }

    public class When_the_gateway_refuses_one_users_turn
    {
        private const string Ann = "3001969357";
        private const string Bob = "3001969358";

        [TestCase("400")]
        [TestCase("200 not JSON")]
        public async Task Should_dead_letter_it_after_the_short_retries_while_the_next_user_of_its_partition_is_answered(string refusal)
        {
            await using var rig = await ConversationRig.StartAsync();
            rig.Settings["Messaging:Rabbit:ConversationPartitions"] = "1";
            var annSession = GatewayRequests.SessionId(TestCredentials.BotUserId, Ann);
            rig.Gateway.Override = request => request["suid"]!.GetValue<string>() != annSession ? null
                : refusal == "400" ? Results.StatusCode(StatusCodes.Status400BadRequest)
                : Results.Text("<html>oops</html>", "text/html");
            var processor = await rig.StartProcessorAsync();
            var consumed = processor.CountConsumed<DirectMessageReceived>();

            await rig.PostAsync("1870000000000000911", "from Ann", Ann);
            await rig.PostAsync("1870000000000000912", "from Bob", Bob);
            var sent = await rig.X.WaitForDirectMessagesAsync(1, Patience);
            await consumed.WaitForAsync(2, Patience);

            var asked = rig.Gateway.Requests.Select(request => (request["suid"]!.GetValue<string>(), request["text"]!.GetValue<string>())).ToList();
            var deadLetters = await rig.Broker.CountReadyMessagesAsync(DurableQueues.ConversationPartitions(1).Single() + "_error");
            Assert.Multiple(() =>
            {
                Assert.That(sent.Select(dm => (dm.RecipientId, dm.Text)), Is.EqualTo(new[] { (Bob, "You said: from Bob") }));
                Assert.That(asked.Count(call => call.Item1 == annSession), Is.EqualTo(3), "Ann's text: the first call and 2 quick retries, no more");
                Assert.That(asked.Count(call => call.Item1 != annSession), Is.EqualTo(1));
                Assert.That((consumed.Consumed, consumed.Faulted), Is.EqualTo((1, 1)));
                Assert.That(deadLetters, Is.EqualTo(1), "Ann's message waits in _error for dead-letters requeue");
            });
        }
    }
}
