using MassTransit;
using Microsoft.Extensions.Options;
using TwitterBot.Contracts;
using TwitterBot.Conventions.Ids;
using TwitterBot.Processor.Clients.Gateway;
using TwitterBot.Processor.Options;
using TwitterBot.Processor.Replies;

namespace TwitterBot.Processor.Conversations.Saga;

/// <summary>
/// One conversation, one DM at a time: the machine decides from the conversation's state (a new gateway
/// session or not), <see cref="TakeTurnActivity"/> takes the turn (the gateway, X, the turn ledger), and the
/// machine records what the turn left behind (activity, takeover, options offered).
/// </summary>
public sealed class ConversationStateMachine : MassTransitStateMachine<ConversationState>
{
    private readonly IOptions<GatewayOptions> _options;
    private readonly TimeProvider _time;

    public ConversationStateMachine(IOptions<GatewayOptions> options, TimeProvider time)
    {
        _options = options;
        _time = time;

        InstanceState(state => state.CurrentState);
        Event(() => DirectMessageReceived, e => e.CorrelateById(context => IdOf(context.Message)));

        Initially(
            When(DirectMessageReceived)
                .Then(context => (context.Saga.BotUserId, context.Saga.UserId) = (context.Message.BotUserId, context.Message.SenderId))
                .Activity(activity => activity.OfType<RecallEarlierTurnsActivity>())
                .TakeTurn(this)
                .TransitionTo(Active));

        During(Active,
            When(DirectMessageReceived)
                .TakeTurn(this));
    }

    public State Active { get; private set; } = null!;

    public Event<DirectMessageReceived> DirectMessageReceived { get; private set; } = null!;

    public static Guid IdOf(DirectMessageReceived message) => ConversationIds.For(ConversationKeys.For(message.BotUserId, message.SenderId));

    /// <summary>The gateway's session settings (<c>Gateway:SendStartOnNewSession</c>, <c>Gateway:SessionTimeout</c>).</summary>
    private GatewayOptions Sessions => _options.Value;

    /// <summary>
    /// A new gateway session when the conversation has none, or the gateway has forgotten it (idle longer than
    /// its session timeout); <c>START</c> is sent first only when that is configured.
    /// </summary>
    public static TurnPlan Plan(ConversationState state, DateTimeOffset now, GatewayOptions sessions)
    {
        var newSession = state.LastActivityAt is not { } last || now - last > sessions.SessionTimeout;
        return new TurnPlan(newSession, newSession && sessions.SendStartOnNewSession, now);
    }

    /// <summary>What a taken turn leaves in the conversation; a turn that never reached the gateway leaves nothing.</summary>
    public static void Record(ConversationState state, TurnPlan plan, PlannedAnswer? answer, GatewayOptions sessions)
    {
        if (answer is null)
        {
            return;
        }

        state.Suid = GatewayRequests.SessionId(state.BotUserId, state.UserId);
        if (plan.NewSession)
        {
            state.SessionStartedAt = plan.At;
        }

        state.LastActivityAt = plan.At;
        state.OptionsOffered = answer.Replies.Count > 0 && answer.Replies[^1].QuickReplies is { } options ? [.. options] : [];
        if (answer.Signal == ConversationSignal.HandedOver)
        {
            // Until issue 14 defines how long a human holds the conversation: as long as the gateway's session.
            state.HandedOverAt = plan.At;
            state.HumanUntil = plan.At + sessions.SessionTimeout;
        }
    }

    internal void Decide(BehaviorContext<ConversationState, DirectMessageReceived> context)
    {
        var plan = Plan(context.Saga, _time.GetUtcNow(), Sessions);
        context.AddOrUpdatePayload(() => plan, _ => plan);
    }

    internal void Record(BehaviorContext<ConversationState, DirectMessageReceived> context) =>
        Record(context.Saga, context.GetPayload<TurnPlan>(), context.GetPayload<TurnTaken>().Answer, Sessions);
}

/// <summary>The machine's decision for one turn, made before the turn is taken.</summary>
/// <param name="NewSession">The turn begins a new gateway session.</param>
/// <param name="SendStart">Ask the gateway <c>START</c> before the user's text.</param>
/// <param name="At">When the decision was made: the conversation's activity, once the turn is taken.</param>
public sealed record TurnPlan(bool NewSession, bool SendStart, DateTimeOffset At);

/// <summary>What the turn's activity hands back to the machine: the answer the turn holds, if it reached the gateway.</summary>
public sealed record TurnTaken(PlannedAnswer? Answer);

internal static class ConversationBehaviors
{
    /// <summary>Decide, take the turn (I/O), record.</summary>
    public static EventActivityBinder<ConversationState, DirectMessageReceived> TakeTurn(
        this EventActivityBinder<ConversationState, DirectMessageReceived> binder, ConversationStateMachine machine) =>
        binder
            .Then(machine.Decide)
            .Activity(activity => activity.OfType<TakeTurnActivity>())
            .Then(machine.Record);
}
