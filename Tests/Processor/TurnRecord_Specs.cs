using TwitterBot.Processor.Conversations;
using TwitterBot.Processor.Replies;

namespace TwitterBot.Tests.Processor;

/// <summary>The turn's rules, as pure transitions of its record: each legal step, and each impossible one refused.</summary>
public static class TurnRecord_Specs
{
    private static readonly DateTimeOffset Began = new(2026, 12, 1, 12, 0, 0, TimeSpan.Zero);
    private static readonly PlannedAnswer TwoReplies = new([new PlannedReply("Hi!"), new PlannedReply("How can I help?")]);
    private static readonly PlannedAnswer Ending = new([new PlannedReply("Bye!")], ConversationSignal.Ended);
    private static readonly PlannedAnswer Welcome = new([new PlannedReply("Welcome!")]);

    private static TurnRecord New() => TurnRecord.Received(Guid.NewGuid());

    public class When_a_turn_is_received
    {
        [Test]
        public void Should_start_with_nothing_asked_nor_sent()
        {
            var turn = New();

            Assert.That(turn, Is.EqualTo(new TurnRecord(turn.MessageId, TurnState.Received, null, 0, null)));
            Assert.That(turn.IsFinished, Is.False);
        }

        [Test]
        public void Should_take_a_welcome_once_and_keep_it_through_the_answer()
        {
            var answered = New().Welcomed(Welcome).Answered(TwoReplies);

            Assert.Multiple(() =>
            {
                Assert.That(answered.Welcome, Is.EqualTo(Welcome));
                Assert.That(answered.State, Is.EqualTo(TurnState.Answered));
                Assert.That(answered.Answer, Is.EqualTo(TwoReplies));
                Assert.That(answered.NextReply, Is.Zero);
                Assert.That(() => New().Welcomed(Welcome).Welcomed(Welcome), Throws.InvalidOperationException, "the session is decided once");
                Assert.That(() => New().Answered(TwoReplies).Welcomed(Welcome), Throws.InvalidOperationException, "too late once answered");
            });
        }

        [Test]
        public void Should_refuse_every_send_before_the_gateway_answered()
        {
            var turn = New();

            Assert.Multiple(() =>
            {
                Assert.That(() => turn.Sending(0, Began), Throws.InvalidOperationException);
                Assert.That(() => turn.Sent(0), Throws.InvalidOperationException);
                Assert.That(() => turn.NotSent(0), Throws.InvalidOperationException);
                Assert.That(() => turn.Finished(TurnState.Completed, null), Throws.InvalidOperationException);
            });
        }

        [Test]
        public void Should_be_rejectable_at_once()
        {
            var rejected = New().Finished(TurnState.Rejected, "revoked");

            Assert.That((rejected.State, rejected.Outcome, rejected.IsFinished), Is.EqualTo((TurnState.Rejected, "revoked", true)));
        }
    }

    public class When_a_turn_is_answered
    {
        [Test]
        public void Should_refuse_a_second_answer()
        {
            Assert.That(() => New().Answered(TwoReplies).Answered(TwoReplies), Throws.InvalidOperationException.With.Message.Contains("already answered"));
        }

        [Test]
        public void Should_send_its_replies_in_order_and_complete_with_the_last_when_no_signal_follows()
        {
            var answered = New().Answered(TwoReplies);

            var sending = answered.Sending(0, Began);
            var first = sending.Sent(0);
            var last = first.Sending(1, Began).Sent(1);

            Assert.Multiple(() =>
            {
                Assert.That((sending.ReplyInFlight, sending.ReplyInFlightSince), Is.EqualTo(((int?)0, (DateTimeOffset?)Began)));
                Assert.That((first.State, first.NextReply, first.ReplyInFlight, first.ReplyInFlightSince), Is.EqualTo((TurnState.Answered, 1, (int?)null, (DateTimeOffset?)null)));
                Assert.That((last.State, last.NextReply), Is.EqualTo((TurnState.Completed, 2)));
            });
        }

        [Test]
        public void Should_stay_open_after_the_last_reply_until_its_signal_is_published()
        {
            var sent = New().Answered(Ending).Sending(0, Began).Sent(0);

            var completed = sent.Finished(TurnState.Completed, null);

            Assert.Multiple(() =>
            {
                Assert.That((sent.State, sent.NextReply), Is.EqualTo((TurnState.Answered, 1)));
                Assert.That(completed.State, Is.EqualTo(TurnState.Completed));
            });
        }

        [Test]
        public void Should_complete_an_answer_without_replies()
        {
            Assert.That(New().Answered(new PlannedAnswer([])).Finished(TurnState.Completed, null).State, Is.EqualTo(TurnState.Completed));
        }

        [Test]
        public void Should_make_a_reply_that_was_not_sent_due_again_with_nothing_to_look_up()
        {
            var notSent = New().Answered(TwoReplies).Sending(0, Began).NotSent(0);

            Assert.Multiple(() =>
            {
                Assert.That((notSent.NextReply, notSent.ReplyInFlight, notSent.ReplyInFlightSince), Is.EqualTo((0, (int?)null, (DateTimeOffset?)null)));
                Assert.That(notSent.Sending(0, Began).ReplyInFlight, Is.Zero, "sent again");
            });
        }

        [Test]
        public void Should_refuse_sends_out_of_order_or_never_begun()
        {
            var answered = New().Answered(TwoReplies);
            var inFlight = answered.Sending(0, Began);

            Assert.Multiple(() =>
            {
                Assert.That(() => answered.Sending(1, Began), Throws.InvalidOperationException, "reply 0 is due first");
                Assert.That(() => answered.Sending(2, Began), Throws.InvalidOperationException, "there is no reply 2");
                Assert.That(() => answered.Sent(0), Throws.InvalidOperationException, "its send never began");
                Assert.That(() => answered.NotSent(0), Throws.InvalidOperationException, "its send never began");
                Assert.That(() => inFlight.Sending(0, Began), Throws.InvalidOperationException, "already in flight: it is looked up, not sent again");
                Assert.That(() => inFlight.Sent(1), Throws.InvalidOperationException);
                Assert.That(() => inFlight.NotSent(1), Throws.InvalidOperationException);
            });
        }

        [Test]
        public void Should_refuse_to_complete_before_every_reply_was_sent()
        {
            var answered = New().Answered(TwoReplies);

            Assert.Multiple(() =>
            {
                Assert.That(() => answered.Finished(TurnState.Completed, null), Throws.InvalidOperationException);
                Assert.That(() => answered.Sending(0, Began).Sent(0).Finished(TurnState.Completed, null), Throws.InvalidOperationException);
                Assert.That(() => New().Answered(Ending).Sending(0, Began).Finished(TurnState.Completed, null), Throws.InvalidOperationException, "its reply is in flight");
            });
        }

        [Test]
        public void Should_be_rejectable_while_a_reply_is_in_flight()
        {
            var rejected = New().Answered(TwoReplies).Sending(0, Began).Finished(TurnState.Rejected, "X refused it");

            Assert.That((rejected.State, rejected.ReplyInFlight, rejected.Outcome), Is.EqualTo((TurnState.Rejected, (int?)null, "X refused it")));
        }
    }

    public class When_a_turn_is_finished
    {
        private static IEnumerable<TestCaseData> Finished()
        {
            yield return new TestCaseData(New().Finished(TurnState.Rejected, "no")).SetArgDisplayNames("rejected");
            yield return new TestCaseData(New().Answered(TwoReplies).Sending(0, Began).Sent(0).Sending(1, Began).Sent(1)).SetArgDisplayNames("completed");
        }

        [TestCaseSource(nameof(Finished))]
        public void Should_refuse_every_further_step(TurnRecord turn)
        {
            Assert.Multiple(() =>
            {
                Assert.That(turn.IsFinished, Is.True);
                Assert.That(() => turn.Welcomed(Welcome), Throws.InvalidOperationException);
                Assert.That(() => turn.Answered(TwoReplies), Throws.InvalidOperationException);
                Assert.That(() => turn.Sending(turn.NextReply, Began), Throws.InvalidOperationException);
                Assert.That(() => turn.Finished(TurnState.Completed, null), Throws.InvalidOperationException);
                Assert.That(() => turn.Finished(TurnState.Rejected, "again"), Throws.InvalidOperationException);
            });
        }

        [Test]
        public void Should_only_end_as_completed_or_rejected()
        {
            Assert.That(() => New().Finished(TurnState.Answered, null), Throws.InstanceOf<ArgumentOutOfRangeException>());
        }
    }

    public class When_turn_states_are_stored
    {
        [Test]
        public void Should_keep_the_numbers_rows_of_earlier_versions_hold()
        {
            // conversation_turns.state has held these since the first version: renumbering would misread old rows.
            Assert.That(Enum.GetValues<TurnState>().ToDictionary(s => s.ToString(), s => (int)s), Is.EqualTo(new Dictionary<string, int>
            {
                ["Received"] = 0,
                ["Answered"] = 1,
                ["Completed"] = 2,
                ["Rejected"] = 3,
            }));
        }
    }
}
