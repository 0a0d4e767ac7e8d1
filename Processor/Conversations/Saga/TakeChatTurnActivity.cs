using MassTransit;
using Microsoft.Extensions.Options;
using TwitterBot.Contracts;
using TwitterBot.Conventions.Ids;
using TwitterBot.Processor.Channels;
using TwitterBot.Processor.Clients.X;
using TwitterBot.Processor.Options;
using TwitterBot.Processor.XChat;

namespace TwitterBot.Processor.Conversations.Saga;

/// <summary>
/// An XChat delivery in the conversation: <see cref="XChatInbox"/> verifies and opens it (I/O: X's keys, the key
/// store); a user's message then takes the very turn a legacy DM takes — the machine's decision, the
/// <see cref="TakeTurnActivity"/> (gateway, ledger under the delivery's message id and <c>event_uuid</c>) and the
/// machine's record — with the plaintext only in memory, as a <see cref="DirectMessageReceived"/> that is never
/// published, and the replies going out through an <see cref="XChatReplyChannel"/>. Options are always a numbered
/// list on XChat. A verified <c>chat.sent</c> is the account's own message: the bot's reply (its message id is one the
/// turn ledger recorded, or a send of this conversation is in flight) is bookkeeping, a person's at the brand hands the
/// conversation over, as a legacy <c>dm.sent</c> does. Key versions learnt are recorded by the machine. Anything else
/// (an echo, a refused message) ends here, acknowledged.
/// </summary>
public sealed class TakeChatTurnActivity(
    XChatInbox inbox,
    ConversationStateMachine machine,
    ITurnLedger turns,
    XChatClient client,
    IXChatConversationKeys keys,
    IOptions<XChatOptions> options,
    IOptions<ConversationOptions> conversations,
    TurnFinishing finishing,
    IServiceProvider services) : IStateMachineActivity<ConversationState, EncryptedChatEventReceived>
{
    public async Task Execute(BehaviorContext<ConversationState, EncryptedChatEventReceived> context, IBehavior<ConversationState, EncryptedChatEventReceived> next)
    {
        var opened = await inbox.OpenAsync(context.Message, context.CancellationToken);
        ConversationStateMachine.KeysLearnt(context.Saga, opened.LearntKeyVersions);
        if (opened is { Outcome: ChatOutcome.SentByAccount, Sent: { } sent })
        {
            await machine.AccountWroteAsync(context, AccountMessageOf(context.Message, context.Saga, sent), await RecognizeAsync(context.Message, sent, context.CancellationToken));
        }
        else if (opened is { Outcome: ChatOutcome.Message, Message: { } message })
        {
            var messageId = context.MessageId ?? throw new InvalidOperationException("EncryptedChatEventReceived arrived without a MessageId.");
            var channel = new XChatReplyChannel(client, keys, options, XChatClient.SignedId(context.Message.ConversationId), messageId);
            var turn = new TakeTurnActivity(ActivatorUtilities.CreateInstance<ConversationTurn>(services, (IReplyChannel)channel), turns, finishing);

            var proxy = context.CreateProxy(machine.DirectMessageReceived, message);
            machine.Decide(proxy, numberedOptions: true);
            await turn.TakeAsync(proxy);
            machine.Record(proxy, numberedOptions: true);
        }

        await next.Execute(context);
    }

    private static AccountMessage AccountMessageOf(EncryptedChatEventReceived delivered, ConversationState saga, ChatSent sent) =>
        new(delivered.EventId, delivered.BotUserId, delivered.BotId, saga.UserId, sent.SentAt);

    /// <summary>As <see cref="RecognizeEchoActivity"/> does for DMs, by the message id the bot's XChat sends are recorded under.</summary>
    private async Task<EchoKind> RecognizeAsync(EncryptedChatEventReceived delivered, ChatSent sent, CancellationToken cancellationToken)
    {
        if (!conversations.Value.PausesForHumans)
        {
            return EchoKind.Ignored;
        }

        if ((await turns.RecordedSendsAsync(delivered.BotUserId, [sent.MessageId], cancellationToken)).Count > 0)
        {
            return EchoKind.Own;
        }

        return await turns.IsSendingAsync(ConversationKeys.ForChat(delivered.BotUserId, delivered.ConversationId), cancellationToken) ? EchoKind.Own : EchoKind.Human;
    }

    public Task Faulted<TException>(BehaviorExceptionContext<ConversationState, EncryptedChatEventReceived, TException> context, IBehavior<ConversationState, EncryptedChatEventReceived> next)
        where TException : Exception => next.Faulted(context);

    public void Probe(ProbeContext context) => context.CreateScope("take-chat-turn");

    public void Accept(StateMachineVisitor visitor) => visitor.Visit(this);
}
