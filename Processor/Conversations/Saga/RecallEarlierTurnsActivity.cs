using MassTransit;
using Microsoft.Extensions.Options;
using TwitterBot.Contracts;
using TwitterBot.Conventions.Ids;
using TwitterBot.Processor.Options;

namespace TwitterBot.Processor.Conversations.Saga;

/// <summary>
/// A conversation new to the saga may be older than the saga (turns answered by a version without it): its last
/// activity is then the ledger's latest other turn, so that an upgrade does not greet a user mid-session with
/// <c>START</c>. Runs once per conversation, when its saga is created, and only when <c>START</c> is sent at all.
/// </summary>
public sealed class RecallEarlierTurnsActivity(ITurnLedger turns, IOptions<GatewayOptions> gateway) : IStateMachineActivity<ConversationState, DirectMessageReceived>
{
    public async Task Execute(BehaviorContext<ConversationState, DirectMessageReceived> context, IBehavior<ConversationState, DirectMessageReceived> next)
    {
        if (gateway.Value.SendStartOnNewSession)
        {
            // The PostgreSQL repository recalls it with the load that found no saga; otherwise it is asked here.
            context.Saga.LastActivityAt ??= context.TryGetPayload<EarlierTurn>(out var recalled)
                ? recalled.StartedAt
                : await turns.LastTurnStartedAsync(
                    ConversationKeys.For(context.Message.BotUserId, context.Message.SenderId),
                    context.MessageId ?? Guid.Empty,
                    context.CancellationToken);
        }

        await next.Execute(context);
    }

    public Task Faulted<TException>(BehaviorExceptionContext<ConversationState, DirectMessageReceived, TException> context, IBehavior<ConversationState, DirectMessageReceived> next)
        where TException : Exception => next.Faulted(context);

    public void Probe(ProbeContext context) => context.CreateScope("recall-earlier-turns");

    public void Accept(StateMachineVisitor visitor) => visitor.Visit(this);
}
