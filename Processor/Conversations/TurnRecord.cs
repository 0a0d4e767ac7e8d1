using TwitterBot.Processor.Replies;

namespace TwitterBot.Processor.Conversations;

/// <summary>
/// How far a turn got. The numbers are what the <c>state</c> column of <c>conversation_turns</c> holds (since
/// the first version): never renumber them, or rows already written read as another state.
/// </summary>
public enum TurnState
{
    /// <summary>Received; the gateway has not answered (or its answer was not stored).</summary>
    Received = 0,

    /// <summary>The gateway's answer is stored; replies from <see cref="TurnRecord.NextReply"/> on are due.</summary>
    Answered = 1,

    /// <summary>Every reply was sent.</summary>
    Completed = 2,

    /// <summary>X refused a reply for good (e.g. the user does not accept DMs).</summary>
    Rejected = 3,
}

/// <summary>
/// One X event's turn, and the only place its rules live: each transition returns the next record, or throws
/// <see cref="InvalidOperationException"/> when the turn cannot move that way. The stores persist whole
/// records and decide nothing.
/// </summary>
/// <param name="ReplyInFlight">A reply whose send began but whose outcome was never recorded.</param>
/// <param name="ReplyInFlightSince">When that send began.</param>
/// <param name="Welcome">The session decision, once made before the answer: the welcome to send first (empty when the session continues).</param>
/// <param name="Outcome">Why the turn was rejected, when it was.</param>
public sealed record TurnRecord(
    Guid MessageId,
    TurnState State,
    PlannedAnswer? Answer,
    int NextReply,
    int? ReplyInFlight,
    DateTimeOffset? ReplyInFlightSince = null,
    PlannedAnswer? Welcome = null,
    string? Outcome = null)
{
    /// <summary>A turn just received: nothing asked, nothing sent.</summary>
    public static TurnRecord Received(Guid messageId) => new(messageId, TurnState.Received, null, 0, null);

    public bool IsFinished => State is TurnState.Completed or TurnState.Rejected;

    /// <summary>
    /// The session was decided before the user's text is asked: <paramref name="welcome"/> (the gateway's answer to
    /// <c>START</c>) goes first, or, empty, the session continues. Decided once per turn, before its answer.
    /// </summary>
    public TurnRecord Welcomed(PlannedAnswer welcome)
    {
        Require(State == TurnState.Received, "store a welcome", "it is no longer waiting for the gateway");
        Require(Welcome is null, "store a welcome", "its session was already decided");
        return this with { Welcome = welcome };
    }

    /// <summary>The gateway answered (welcome included): its replies are due from the first.</summary>
    public TurnRecord Answered(PlannedAnswer answer)
    {
        Require(State == TurnState.Received, "store an answer", "it was already answered");
        return this with { State = TurnState.Answered, Answer = answer, NextReply = 0, ReplyInFlight = null, ReplyInFlightSince = null };
    }

    /// <summary>
    /// The send of reply <paramref name="index"/> begins at <paramref name="began"/>: until its outcome is recorded,
    /// a restart looks it up on X before sending anything.
    /// </summary>
    public TurnRecord Sending(int index, DateTimeOffset began)
    {
        RequireDue(index, "begin sending reply");
        Require(ReplyInFlight is null, $"begin sending reply {index}", $"reply {ReplyInFlight} is in flight");
        return this with { ReplyInFlight = index, ReplyInFlightSince = began };
    }

    /// <summary>
    /// Reply <paramref name="index"/> reached X (or X holds it): the next is due. After the last reply, a turn
    /// with no signal to publish is completed; one with a signal stays open until <see cref="Finished"/>, so that
    /// the signal is published first.
    /// </summary>
    public TurnRecord Sent(int index)
    {
        RequireDue(index, "mark sent reply");
        Require(ReplyInFlight == index, $"mark reply {index} sent", "its send never began");
        var completes = index + 1 >= Answer!.Replies.Count && Answer.Signal == ConversationSignal.None;
        return this with
        {
            State = completes ? TurnState.Completed : State,
            NextReply = index + 1,
            ReplyInFlight = null,
            ReplyInFlightSince = null,
        };
    }

    /// <summary>X did not take reply <paramref name="index"/>: it is due again, with nothing to look up.</summary>
    public TurnRecord NotSent(int index)
    {
        RequireDue(index, "mark not sent reply");
        Require(ReplyInFlight == index, $"mark reply {index} not sent", "its send never began");
        return this with { ReplyInFlight = null, ReplyInFlightSince = null };
    }

    /// <summary>
    /// The turn is over: <see cref="TurnState.Completed"/> once every reply was sent (and its signal published),
    /// or <see cref="TurnState.Rejected"/> at any point, with X's reason as <paramref name="outcome"/>.
    /// </summary>
    public TurnRecord Finished(TurnState state, string? outcome)
    {
        Require(!IsFinished, $"finish it as {state}", $"it is already {State}");
        switch (state)
        {
            case TurnState.Completed:
                Require(State == TurnState.Answered && NextReply >= Answer!.Replies.Count && ReplyInFlight is null,
                    "complete it", "not every reply was sent");
                break;
            case TurnState.Rejected:
                break;
            default:
                throw new ArgumentOutOfRangeException(nameof(state), state, "A turn finishes Completed or Rejected.");
        }

        return this with { State = state, Outcome = outcome, ReplyInFlight = null, ReplyInFlightSince = null };
    }

    private void RequireDue(int index, string what)
    {
        Require(State == TurnState.Answered, $"{what} {index}", State == TurnState.Received ? "it has no answer" : $"it is {State}");
        Require(index == NextReply && index < Answer!.Replies.Count, $"{what} {index}", $"reply {NextReply} of {Answer!.Replies.Count} is due");
    }

    private void Require(bool condition, string what, string because)
    {
        if (!condition)
        {
            throw new InvalidOperationException($"The turn of message {MessageId} cannot {what}: {because}.");
        }
    }
}

/// <summary>A DM X holds as the send of one reply: its id in X's list of the bot's DMs.</summary>
public sealed record SentReply(string BotUserId, string DirectMessageId, DateTimeOffset SentAt);
