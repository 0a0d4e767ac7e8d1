using MassTransit;
using TwitterBot.Contracts;

namespace TwitterBot.Processor.Conversations.Saga;

/// <summary>
/// The conversation's I/O: takes the turn the machine planned (<see cref="TurnPlan"/>) through
/// <see cref="ConversationTurn"/>, which owns the clients and the turn ledger, and hands its answer back.
/// </summary>
public sealed class TakeTurnActivity(ConversationTurn turn) : IStateMachineActivity<ConversationState, DirectMessageReceived>
{
    public async Task Execute(BehaviorContext<ConversationState, DirectMessageReceived> context, IBehavior<ConversationState, DirectMessageReceived> next)
    {
        var plan = context.GetPayload<TurnPlan>();
        var answer = await turn.TakeAsync(
            context.Message,
            context.MessageId ?? throw new InvalidOperationException("DirectMessageReceived arrived without a MessageId."),
            plan.SendStart,
            context,
            context.CancellationToken);
        var taken = new TurnTaken(answer);
        context.AddOrUpdatePayload(() => taken, _ => taken);
        await next.Execute(context);
    }

    public Task Faulted<TException>(BehaviorExceptionContext<ConversationState, DirectMessageReceived, TException> context, IBehavior<ConversationState, DirectMessageReceived> next)
        where TException : Exception => next.Faulted(context);

    public void Probe(ProbeContext context) => context.CreateScope("take-turn");

    public void Accept(StateMachineVisitor visitor) => visitor.Visit(this);
}
