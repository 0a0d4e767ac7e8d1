using MassTransit;
using Microsoft.Extensions.Options;
using TwitterBot.Contracts;
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
/// list on XChat. Anything else (a key change, an echo, a refused message) ends here, acknowledged.
/// </summary>
public sealed class TakeChatTurnActivity(
    XChatInbox inbox,
    ConversationStateMachine machine,
    ITurnLedger turns,
    XChatClient client,
    IXChatConversationKeys keys,
    IOptions<XChatOptions> options,
    TurnFinishing finishing,
    IServiceProvider services) : IStateMachineActivity<ConversationState, EncryptedChatEventReceived>
{
    public async Task Execute(BehaviorContext<ConversationState, EncryptedChatEventReceived> context, IBehavior<ConversationState, EncryptedChatEventReceived> next)
    {
        var opened = await inbox.OpenAsync(context.Message, context.CancellationToken);
        if (opened is { Outcome: ChatOutcome.Message, Message: { } message })
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

    public Task Faulted<TException>(BehaviorExceptionContext<ConversationState, EncryptedChatEventReceived, TException> context, IBehavior<ConversationState, EncryptedChatEventReceived> next)
        where TException : Exception => next.Faulted(context);

    public void Probe(ProbeContext context) => context.CreateScope("take-chat-turn");

    public void Accept(StateMachineVisitor visitor) => visitor.Visit(this);
}
