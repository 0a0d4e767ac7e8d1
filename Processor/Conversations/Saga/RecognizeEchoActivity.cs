using MassTransit;
using Microsoft.Extensions.Options;
using TwitterBot.Contracts;
using TwitterBot.Conventions.Ids;
using TwitterBot.Processor.Options;

namespace TwitterBot.Processor.Conversations.Saga;

/// <summary>
/// Tells the bot's own DMs from a person's at the brand: the turn ledger records the id X returned for every DM
/// the bot sent, in the transaction that marks the reply sent. An echo comes through the conversation's partition
/// queue, behind the turn whose reply it echoes, so that record is normally visible. When it is not, because a
/// turn of this conversation has a send whose outcome is not recorded (its turn failed or stopped after X took the
/// DM, and is retried or parked), the echo is taken as the bot's own: missing one human reply (the next one pauses
/// the bot) is better than a bot that goes silent on its own words. The result is an <see cref="EchoRecognized"/> payload.
/// </summary>
public sealed class RecognizeEchoActivity(ITurnLedger turns, IOptions<ConversationOptions> options) : IStateMachineActivity<ConversationState, DirectMessageSentByAccount>
{
    public async Task Execute(BehaviorContext<ConversationState, DirectMessageSentByAccount> context, IBehavior<ConversationState, DirectMessageSentByAccount> next)
    {
        var recognized = new EchoRecognized(options.Value.PausesForHumans ? await RecognizeAsync(context.Message, context.CancellationToken) : EchoKind.Ignored);
        context.AddOrUpdatePayload(() => recognized, _ => recognized);
        await next.Execute(context);
    }

    private async Task<EchoKind> RecognizeAsync(DirectMessageSentByAccount echo, CancellationToken cancellationToken)
    {
        if ((await turns.RecordedSendsAsync(echo.BotUserId, [echo.DirectMessageId], cancellationToken)).Count > 0)
        {
            return EchoKind.Own;
        }

        return await turns.IsSendingAsync(ConversationKeys.For(echo.BotUserId, echo.UserId), cancellationToken) ? EchoKind.Own : EchoKind.Human;
    }

    public Task Faulted<TException>(BehaviorExceptionContext<ConversationState, DirectMessageSentByAccount, TException> context, IBehavior<ConversationState, DirectMessageSentByAccount> next)
        where TException : Exception => next.Faulted(context);

    public void Probe(ProbeContext context) => context.CreateScope("recognize-echo");

    public void Accept(StateMachineVisitor visitor) => visitor.Visit(this);
}
