using MassTransit;
using TwitterBot.Contracts;
using TwitterBot.Conventions.Ids;
using TwitterBot.Processor.Clients.Gateway;
using TwitterBot.Processor.Replies;

namespace TwitterBot.Processor.Conversations.Saga;

/// <summary>
/// The conversation's I/O: takes the turn the machine planned (<see cref="TurnPlan"/>) through
/// <see cref="ConversationTurn"/>, which owns the clients and the turn ledger, and hands its answer back. A turn
/// held for a human is only recorded in the ledger, as answered with nothing, so that it is never answered later.
/// </summary>
public sealed class TakeTurnActivity(ConversationTurn turn, ITurnLedger turns, TurnFinishing finishing) : IStateMachineActivity<ConversationState, DirectMessageReceived>
{
    public async Task Execute(BehaviorContext<ConversationState, DirectMessageReceived> context, IBehavior<ConversationState, DirectMessageReceived> next)
    {
        await TakeAsync(context);
        await next.Execute(context);
    }

    /// <summary>Takes the planned turn and leaves its <see cref="TurnTaken"/> in the context (also for an XChat turn, see <see cref="TakeChatTurnActivity"/>).</summary>
    public async Task TakeAsync(BehaviorContext<ConversationState, DirectMessageReceived> context)
    {
        await finishing.SettleAsync();
        var plan = context.GetPayload<TurnPlan>();
        var messageId = context.MessageId ?? throw new InvalidOperationException("DirectMessageReceived arrived without a MessageId.");
        TurnTaken taken;
        if (plan.Held && await HoldAsync(context.Message, messageId, context.CancellationToken))
        {
            taken = new TurnTaken(null, Held: true);
        }
        else
        {
            var message = plan.Picked is { } picked ? GatewayRequests.Picking(context.Message, picked) : context.Message;
            taken = new TurnTaken(await turn.TakeAsync(message, messageId, plan.SendStart, context, context.CancellationToken, finishing));
        }

        context.AddOrUpdatePayload(() => taken, _ => taken);
    }

    /// <summary>
    /// Records the turn as answered with nothing; false when the turn had already begun before the human took the
    /// conversation (a redelivery of a DM asked before), which is then finished as it began: answered exactly once.
    /// </summary>
    private async Task<bool> HoldAsync(DirectMessageReceived message, Guid messageId, CancellationToken cancellationToken)
    {
        await using var claim = await turns.ClaimTurnAsync(messageId, ConversationKeys.For(message.BotUserId, message.SenderId), message.EventId, cancellationToken)
            ?? throw new TurnInProgressException(message.EventId, message.BotUserId);
        if (claim.Turn.IsFinished)
        {
            return true;
        }

        if (claim.Turn.State != TurnState.Received || claim.Turn.Welcome is not null)
        {
            return false;
        }

        await claim.SaveAsync(t => t.Answered(new PlannedAnswer([])), cancellationToken);
        await claim.SaveAsync(t => t.Finished(TurnState.Completed, null), cancellationToken);
        ProcessorTelemetry.Outcome("held");
        return true;
    }

    public Task Faulted<TException>(BehaviorExceptionContext<ConversationState, DirectMessageReceived, TException> context, IBehavior<ConversationState, DirectMessageReceived> next)
        where TException : Exception => next.Faulted(context);

    public void Probe(ProbeContext context) => context.CreateScope("take-turn");

    public void Accept(StateMachineVisitor visitor) => visitor.Visit(this);
}
