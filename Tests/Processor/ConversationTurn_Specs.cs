using System.Net;
using System.Text.Json.Nodes;
using MassTransit;
using Microsoft.AspNetCore.Http;
using TwitterBot.Contracts;
using TwitterBot.Tests.Support;

namespace TwitterBot.Tests.Processor;

/// <summary>
/// A conversation turn's way from <c>Received</c> through <c>Answered</c> to <c>Completed</c> or
/// <c>Rejected</c>, driven through MassTransit's test harness (the broker-level guarantees are spec'd on
/// the real RabbitMQ in <c>Integration/Conversation_Specs</c>).
/// </summary>
public static class ConversationTurn_Specs
{
    private const string Sender = "3001969357";
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(30);

    public class When_a_DM_is_consumed
    {
        [Test]
        public async Task Should_ask_the_gateway_once_and_send_every_reply_to_the_sender_in_order()
        {
            await using var processor = await ProcessorHarness.StartAsync();
            processor.Gateway.Answer = text => [$"You said: {text}", "Anything else?"];

            await processor.PublishAsync("1900000000000000001", "hello");

            await processor.WaitForAnsweredAsync(1, Patience);
            var sent = processor.X.AllAccepted();
            Assert.Multiple(() =>
            {
                Assert.That(processor.Consumed.Faulted, Is.Zero);
                Assert.That(processor.Gateway.AskedTexts, Is.EqualTo(new[] { "hello" }));
                Assert.That(sent.Select(dm => dm.Text), Is.EqualTo(new[] { "You said: hello", "Anything else?" }));
                Assert.That(sent.Select(dm => dm.RecipientId), Is.All.EqualTo(Sender));
                Assert.That(sent.Select(dm => dm.SenderToken), Is.All.EqualTo(TestCredentials.BotAccessToken));
                Assert.That(processor.X.RejectedRequests, Is.Empty, "every X request carried a valid OAuth 1.0a signature");
            });
        }
    }

    public class When_copies_of_one_event_are_consumed_at_the_same_time
    {
        [Test]
        public async Task Should_let_one_answer_and_the_other_find_it_answered()
        {
            await using var processor = await ProcessorHarness.StartAsync();
            processor.Gateway.Answer = text => [$"You said: {text}", "Anything else?"];

            var first = await processor.PublishAsync("1900000000000000002", "once");
            var copy = await processor.PublishAsync("1900000000000000002", "once");
            await processor.WaitForAnsweredAsync(2, Patience);

            Assert.Multiple(() =>
            {
                Assert.That(copy, Is.EqualTo(first), "the message id is derived from the bot and the X event id");
                Assert.That(processor.Gateway.AskedTexts, Has.Count.EqualTo(1));
                Assert.That(processor.X.Attempts.Select(dm => dm.Text), Is.EqualTo(new[] { "You said: once", "Anything else?" }));
                Assert.That(processor.Consumed.Faulted, Is.Zero);
            });
        }
    }

    public class When_the_same_event_arrives_after_it_was_answered
    {
        [Test]
        public async Task Should_neither_ask_the_gateway_again_nor_reply_twice()
        {
            await using var processor = await ProcessorHarness.StartAsync();

            await processor.PublishAsync("1900000000000000003", "twice");
            await processor.WaitForAnsweredAsync(1, Patience);
            await processor.PublishAsync("1900000000000000003", "twice");
            await processor.WaitForAnsweredAsync(2, Patience);

            Assert.Multiple(() =>
            {
                Assert.That(processor.Gateway.AskedTexts, Has.Count.EqualTo(1));
                Assert.That(processor.X.Attempts, Has.Count.EqualTo(1));
            });
        }
    }

    public class When_X_refuses_the_user_for_good
    {
        [Test]
        public async Task Should_publish_DirectMessageRejected_with_the_reason_and_not_fault_the_message()
        {
            await using var processor = await ProcessorHarness.StartAsync();
            processor.X.Override = _ => FakeXApi.Refused(349, "You cannot send messages to this user.");

            await processor.PublishAsync("1900000000000000006", "hi");

            await processor.WaitForAnsweredAsync(1, Patience);
            Assert.That(await processor.Harness.Published.Any<DirectMessageRejected>(), Is.True);
            var rejected = processor.Harness.Published.Select<DirectMessageRejected>().Select(published => published.Context.Message).Single();
            Assert.Multiple(() =>
            {
                Assert.That(rejected.EventId, Is.EqualTo("1900000000000000006"));
                Assert.That(rejected.RecipientId, Is.EqualTo(Sender));
                Assert.That(rejected.ErrorCode, Is.EqualTo(349));
                Assert.That(rejected.HttpStatus, Is.EqualTo((int)HttpStatusCode.Forbidden));
                Assert.That(rejected.Reason, Does.Contain("cannot send messages"));
                Assert.That(processor.Consumed.Faulted, Is.Zero, "a refusal for good ends the turn; it is no failure to retry");
                Assert.That(processor.X.Attempts, Has.Count.EqualTo(1));
            });
        }
    }

    public class When_the_bot_ends_the_conversation
    {
        [Test]
        public async Task Should_send_the_goodbye_and_then_publish_ConversationEnded()
        {
            await using var processor = await ProcessorHarness.StartAsync();
            processor.Gateway.Reactions = _ => JsonNode.Parse("""[{"text":"Goodbye!","command":"end"}]""")!.AsArray();

            await processor.PublishAsync("1900000000000000004", "bye");

            await processor.WaitForAnsweredAsync(1, Patience);
            Assert.That(await processor.Harness.Published.Any<ConversationEnded>(), Is.True);
            var ended = processor.Harness.Published.Select<ConversationEnded>().Single().Context.Message;
            Assert.Multiple(() =>
            {
                Assert.That(ended.UserId, Is.EqualTo(Sender));
                Assert.That(ended.EventId, Is.EqualTo("1900000000000000004"));
                Assert.That(processor.X.AllAccepted().Select(dm => dm.Text), Is.EqualTo(new[] { "Goodbye!" }));
            });
        }
    }

    public class When_the_gateway_fails_for_a_while
    {
        [Test]
        public async Task Should_retry_and_answer_once_without_faulting()
        {
            await using var processor = await ProcessorHarness.StartAsync();
            var failures = 2;
            processor.Gateway.Override = _ => Interlocked.Decrement(ref failures) >= 0 ? Results.StatusCode(StatusCodes.Status502BadGateway) : null;

            await processor.PublishAsync("1900000000000000005", "are you there?");
            await processor.WaitForAnsweredAsync(1, Patience);

            Assert.Multiple(() =>
            {
                Assert.That(processor.Gateway.AskedTexts, Has.Count.EqualTo(3), "two failed calls, then the one that answered");
                Assert.That(processor.X.AllAccepted().Select(dm => dm.Text), Is.EqualTo(new[] { "You said: are you there?" }));
                Assert.That(processor.Consumed.Faulted, Is.Zero);
            });
        }
    }
}
