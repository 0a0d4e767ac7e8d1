using MassTransit;
using Microsoft.Extensions.Options;
using TwitterBot.Contracts;
using TwitterBot.Conventions.Accounts;
using TwitterBot.Conventions.Ids;
using TwitterBot.Processor.Clients.Gateway;
using TwitterBot.Processor.Options;
using TwitterBot.Processor.Replies;

namespace TwitterBot.Processor.Conversations.Saga;

/// <summary>
/// One conversation, one DM at a time: the machine decides from the conversation's state (a new gateway
/// session or not, held for a human or not, an offered option picked or not), <see cref="TakeTurnActivity"/> takes
/// the turn (the gateway, X, the turn ledger), and the machine records what the turn left behind (activity,
/// takeover, options offered). The account's own DMs (echoes) come through the same queue, in order: the bot's
/// own sends are bookkeeping, a person's at the brand hands the conversation to them (<see cref="HandOver"/>).
/// </summary>
public sealed partial class ConversationStateMachine : MassTransitStateMachine<ConversationState>
{
    private readonly IOptions<GatewayOptions> _options;
    private readonly IOptions<ConversationOptions> _conversations;
    private readonly TimeProvider _time;
    private readonly HumanHandOverTelemetry _telemetry;
    private readonly ILogger<ConversationStateMachine> _logger;

    /// <summary>X DM v2 has no quick replies: its options are a numbered list, and a number or label picks one.</summary>
    private readonly bool _numberedOptions;

    public ConversationStateMachine(
        IOptions<GatewayOptions> options,
        IOptions<ConversationOptions> conversations,
        IOptions<TwitterBotOptions> twitterBot,
        HumanHandOverTelemetry telemetry,
        TimeProvider time,
        ILogger<ConversationStateMachine> logger)
    {
        _options = options;
        _conversations = conversations;
        _time = time;
        _telemetry = telemetry;
        _logger = logger;
        _numberedOptions = twitterBot.Value.Api.Version == TwitterApiOptions.V2;

        InstanceState(state => state.CurrentState);
        Event(() => DirectMessageReceived, e => e.CorrelateById(context => IdOf(context.Message)));
        Event(() => DirectMessageSentByAccount, e => e.CorrelateById(context => IdOf(context.Message)));
        Event(() => ChatEventReceived, e => e.CorrelateById(context => IdOf(context.Message)));

        Initially(
            When(DirectMessageReceived)
                .Then(context => (context.Saga.BotUserId, context.Saga.UserId) = (context.Message.BotUserId, context.Message.SenderId))
                .Activity(activity => activity.OfType<RecallEarlierTurnsActivity>())
                .TakeTurn(this)
                .TransitionTo(Active),
            When(DirectMessageSentByAccount)
                .Then(context => (context.Saga.BotUserId, context.Saga.UserId) = (context.Message.BotUserId, context.Message.UserId))
                .Echo(this)
                .TransitionTo(Active),
            When(ChatEventReceived)
                .Then(context => (context.Saga.BotUserId, context.Saga.UserId) =
                    (context.Message.BotUserId, ConversationKeys.ChatPeer(context.Message.BotUserId, context.Message.ConversationId) ?? context.Message.SenderId))
                .Activity(activity => activity.OfType<TakeChatTurnActivity>())
                .TransitionTo(Active));

        During(Active,
            When(DirectMessageReceived)
                .TakeTurn(this),
            When(DirectMessageSentByAccount)
                .Echo(this),
            When(ChatEventReceived)
                .Activity(activity => activity.OfType<TakeChatTurnActivity>()));
    }

    public State Active { get; private set; } = null!;

    public Event<DirectMessageReceived> DirectMessageReceived { get; private set; } = null!;

    /// <summary>The account sent a DM: the bot's own send, or a person at the brand answering from the X app.</summary>
    public Event<DirectMessageSentByAccount> DirectMessageSentByAccount { get; private set; } = null!;

    /// <summary>An XChat event (<c>chat.received</c>), opened and answered by <see cref="TakeChatTurnActivity"/> with the same turn as a DM.</summary>
    public Event<EncryptedChatEventReceived> ChatEventReceived { get; private set; } = null!;

    public static Guid IdOf(EncryptedChatEventReceived message) => ConversationIds.For(ConversationKeys.ForChat(message.BotUserId, message.ConversationId));

    public static Guid IdOf(DirectMessageReceived message) => ConversationIds.For(ConversationKeys.For(message.BotUserId, message.SenderId));

    public static Guid IdOf(DirectMessageSentByAccount message) => ConversationIds.For(ConversationKeys.For(message.BotUserId, message.UserId));

    /// <summary>The gateway's session settings (<c>Gateway:SendStartOnNewSession</c>, <c>Gateway:SessionTimeout</c>).</summary>
    private GatewayOptions Sessions => _options.Value;

    /// <summary>
    /// A new gateway session when the conversation has none, the gateway has forgotten it (idle longer than its
    /// session timeout), or a person at the brand answered the user since the bot last did: the gateway's flow
    /// stands where the bot left it, not where the human took the conversation, so the bot begins afresh when it
    /// resumes. <c>START</c> is sent first only when that is configured.
    /// </summary>
    public static TurnPlan Plan(ConversationState state, DateTimeOffset now, GatewayOptions sessions)
    {
        var newSession = state.LastActivityAt is not { } last || now - last > sessions.SessionTimeout
            || state.HumanSpokeLast;
        return new TurnPlan(newSession, newSession && sessions.SendStartOnNewSession, now);
    }

    /// <summary>
    /// Whether a person at the brand holds the conversation at <paramref name="now"/>: after an X app hand-over,
    /// until <see cref="ConversationState.HumanUntil"/>, while the human pause is on.
    /// </summary>
    public static bool IsHeld(ConversationState state, DateTimeOffset now, ConversationOptions options) =>
        options.PausesForHumans && state.HandedOverBy == HandOverSource.XApp && state.HumanUntil > now;

    /// <summary>What a taken turn leaves in the conversation; a turn held for a human, or that never reached the gateway, leaves only the offer cleared.</summary>
    public static void Record(ConversationState state, TurnPlan plan, TurnTaken taken, GatewayOptions sessions, ConversationOptions conversations, bool numberedOptions)
    {
        if (taken is not { Held: false, Answer: { } answer })
        {
            state.OptionsOffered = [];
            return;
        }

        state.Suid = GatewayRequests.SessionId(state.BotUserId, state.UserId);
        if (plan.NewSession)
        {
            state.SessionStartedAt = plan.At;
        }

        state.LastActivityAt = plan.At;
        state.HumanSpokeLast = false;
        state.OptionsOffered = answer.Replies.Count == 0 || answer.Replies[^1].QuickReplies is not { } options ? []
            : numberedOptions ? [.. NumberedOptions.Listed(answer.Replies[^1])]
            : [.. options];
        if (answer.Signal == ConversationSignal.HandedOver)
        {
            // Recorded for operators; the bot does not pause: the gateway relays to its agent, so it keeps being asked.
            state.HandedOverAt = plan.At;
            state.HandedOverBy = HandOverSource.Gateway;
            state.HumanUntil = plan.At + conversations.HumanPause;
        }
    }

    /// <summary>
    /// A person at the brand sent the user a DM at <paramref name="sentAt"/> (X's time, never taken as later than
    /// <paramref name="now"/>): they hold the conversation for <paramref name="pause"/> after it. A DM while they
    /// hold it extends their hold; one whose pause would already be over changes nothing.
    /// </summary>
    public static HandOverOutcome HandOver(ConversationState state, DateTimeOffset sentAt, DateTimeOffset now, TimeSpan pause)
    {
        var from = sentAt < now ? sentAt : now;
        var until = from + pause;
        if (until <= now)
        {
            return HandOverOutcome.Past;
        }

        // The bot's offer was made before the human spoke: a number the user sends now is not an answer to it.
        state.OptionsOffered = [];
        state.HumanSpokeLast = true;
        if (state.HandedOverBy == HandOverSource.XApp && state.HumanUntil is { } current && current > now)
        {
            state.HumanUntil = until > current ? until : current;
            return HandOverOutcome.Extended;
        }

        state.HandedOverAt = from;
        state.HandedOverBy = HandOverSource.XApp;
        state.HumanUntil = until;
        return HandOverOutcome.Began;
    }

    internal void Decide(BehaviorContext<ConversationState, DirectMessageReceived> context) => Decide(context, _numberedOptions);

    /// <param name="numberedOptions">The turn's channel lists options as numbers (X DM v2, XChat).</param>
    internal void Decide(BehaviorContext<ConversationState, DirectMessageReceived> context, bool numberedOptions)
    {
        var now = _time.GetUtcNow();
        var state = context.Saga;
        var message = context.Message;
        TurnPlan plan;
        if (IsHeld(state, now, _conversations.Value))
        {
            plan = new TurnPlan(false, false, now) { Held = true };
        }
        else
        {
            plan = Plan(state, now, Sessions) with
            {
                Picked = numberedOptions && message.QuickReplyMetadata is null ? NumberedOptions.Picked(message.Text, state.OptionsOffered) : null,
            };
            if (state.HumanSpokeLast)
            {
                LogResumed(message.BotUserId, message.SenderId, message.EventId);
            }
        }

        context.AddOrUpdatePayload(() => plan, _ => plan);
    }

    internal void Record(BehaviorContext<ConversationState, DirectMessageReceived> context) => Record(context, _numberedOptions);

    internal void Record(BehaviorContext<ConversationState, DirectMessageReceived> context, bool numberedOptions)
    {
        var taken = context.GetPayload<TurnTaken>();
        var message = context.Message;
        if (taken.Held)
        {
            _telemetry.Held();
            LogHeld(message.EventId, message.BotUserId, context.Saga.HumanUntil ?? default);
        }
        else if (taken.Answer?.Signal == ConversationSignal.HandedOver)
        {
            _telemetry.HandedOver(HandOverSource.Gateway);
            LogGatewayHandedOver(message.BotUserId, message.SenderId, message.EventId);
        }

        Record(context.Saga, context.GetPayload<TurnPlan>(), taken, Sessions, _conversations.Value, numberedOptions);
    }

    /// <summary>After <see cref="RecognizeEchoActivity"/>: a person's DM hands the conversation over; the bot's own is bookkeeping.</summary>
    internal Task EchoedAsync(BehaviorContext<ConversationState, DirectMessageSentByAccount> context)
    {
        var echo = context.Message;
        return AccountWroteAsync(context, new AccountMessage(echo.EventId, echo.BotUserId, echo.BotId, echo.UserId, echo.CreatedAt),
            context.GetPayload<EchoRecognized>().Kind);
    }

    /// <summary>
    /// The account wrote in the conversation (a legacy DM echo or a verified XChat <c>chat.sent</c>): a person's message
    /// hands the conversation over to them (<see cref="HandOver"/>, <see cref="ConversationHandedOver"/> from the X app);
    /// the bot's own is bookkeeping.
    /// </summary>
    internal async Task AccountWroteAsync(BehaviorContext<ConversationState> context, AccountMessage echo, EchoKind kind)
    {
        _telemetry.Echo(kind);
        if (kind != EchoKind.Human)
        {
            LogEcho(echo.EventId, echo.BotUserId, kind);
            return;
        }

        var outcome = HandOver(context.Saga, echo.CreatedAt, _time.GetUtcNow(), _conversations.Value.HumanPause);
        LogHumanReplied(echo.BotUserId, echo.UserId, echo.EventId, outcome, context.Saga.HumanUntil);
        if (outcome != HandOverOutcome.Began)
        {
            return;
        }

        _telemetry.HandedOver(HandOverSource.XApp);
        var handedOver = new ConversationHandedOver
        {
            BotUserId = echo.BotUserId,
            BotId = echo.BotId,
            UserId = echo.UserId,
            EventId = echo.EventId,
            Source = HandOverSource.XApp,
            HumanUntil = context.Saga.HumanUntil,
        };
        var id = MessageIds.Derived(context.MessageId ?? Guid.Empty, nameof(ConversationSignal.HandedOver));
        await context.Publish(handedOver, Pipe.Execute<PublishContext>(publish => publish.MessageId = id), context.CancellationToken);
    }

    /// <summary>Most XChat key versions a conversation remembers (the newest; older keys stay in the key store).</summary>
    public const int KeyVersionsKept = 16;

    /// <summary>
    /// Records the XChat conversation-key versions the bot learnt for this conversation (from a key change, or one attached
    /// to or fetched for a message): numerically ordered, without repeats, the newest <see cref="KeyVersionsKept"/>.
    /// </summary>
    public static void KeysLearnt(ConversationState state, IReadOnlyList<long> versions)
    {
        if (versions.Count == 0)
        {
            return;
        }

        var known = state.XChatKeyVersions
            .Select(v => long.TryParse(v, System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out var n) ? n : (long?)null)
            .OfType<long>()
            .Concat(versions)
            .Distinct()
            .Order()
            .ToList();
        state.XChatKeyVersions = [.. known.Skip(Math.Max(0, known.Count - KeyVersionsKept)).Select(v => v.ToString(System.Globalization.CultureInfo.InvariantCulture))];
    }

    [LoggerMessage(LogLevel.Information, "Event {EventId} for bot {BotUserId}: a person at the brand holds this conversation until {Until:O}; the DM is recorded, not sent to the gateway, and not answered.")]
    private partial void LogHeld(string eventId, string botUserId, DateTimeOffset until);

    [LoggerMessage(LogLevel.Information, "Bot {BotUserId}'s conversation with user {UserId}: the gateway handed it over to an agent at event {EventId}; the gateway keeps being asked.")]
    private partial void LogGatewayHandedOver(string botUserId, string userId, string eventId);

    [LoggerMessage(LogLevel.Information, "Bot {BotUserId} resumes its conversation with user {UserId} at event {EventId}: the human pause is over, and a new gateway session begins.")]
    private partial void LogResumed(string botUserId, string userId, string eventId);

    [LoggerMessage(LogLevel.Information, "Bot {BotUserId}'s conversation with user {UserId}: a person at the brand answered from the X app (event {EventId}): {Outcome}, held until {Until:O}.")]
    private partial void LogHumanReplied(string botUserId, string userId, string eventId, HandOverOutcome outcome, DateTimeOffset? until);

    [LoggerMessage(LogLevel.Debug, "Event {EventId}: bot {BotUserId}'s DM echoed back by X ({Kind}); nothing to do.")]
    private partial void LogEcho(string eventId, string botUserId, EchoKind kind);
}

/// <summary>The machine's decision for one turn, made before the turn is taken.</summary>
/// <param name="NewSession">The turn begins a new gateway session.</param>
/// <param name="SendStart">Ask the gateway <c>START</c> before the user's text.</param>
/// <param name="At">When the decision was made: the conversation's activity, once the turn is taken.</param>
public sealed record TurnPlan(bool NewSession, bool SendStart, DateTimeOffset At)
{
    /// <summary>A person at the brand holds the conversation: the DM is recorded in the ledger, the gateway is not asked.</summary>
    public bool Held { get; init; }

    /// <summary>The option the DM picked by its number or label (X DM v2), sent to the gateway as a quick-reply pick.</summary>
    public QuickReplyOption? Picked { get; init; }
}

/// <summary>What the turn's activity hands back to the machine: the answer the turn holds, if it reached the gateway.</summary>
/// <param name="Held">The turn was recorded for the human holding the conversation, and not answered.</param>
public sealed record TurnTaken(PlannedAnswer? Answer, bool Held = false);

/// <summary>A message the account sent in the conversation (its DM echo, or its XChat <c>chat.sent</c>), as the machine weighs it.</summary>
/// <param name="CreatedAt">X's time for it: the human pause runs from there.</param>
public sealed record AccountMessage(string EventId, string BotUserId, string BotId, string UserId, DateTimeOffset CreatedAt);

/// <summary>What <see cref="RecognizeEchoActivity"/> hands back to the machine.</summary>
public sealed record EchoRecognized(EchoKind Kind);

/// <summary>What an echo of the account's DM is.</summary>
public enum EchoKind
{
    /// <summary>One of the bot's own sends (recorded, or possibly the one in flight).</summary>
    Own,

    /// <summary>A DM a person at the brand wrote in the X app.</summary>
    Human,

    /// <summary>Not looked at: the human pause is off (<c>Processor:Conversations:HumanPause</c> 0).</summary>
    Ignored,
}

/// <summary>What a person's DM at the brand did to the conversation.</summary>
public enum HandOverOutcome
{
    /// <summary>The conversation is now theirs (<see cref="ConversationHandedOver"/> is published).</summary>
    Began,

    /// <summary>It was theirs already: their hold is extended.</summary>
    Extended,

    /// <summary>Its pause would already be over (a DM delivered late): nothing changes.</summary>
    Past,
}

internal static class ConversationBehaviors
{
    /// <summary>Decide, take the turn (I/O), record.</summary>
    public static EventActivityBinder<ConversationState, DirectMessageReceived> TakeTurn(
        this EventActivityBinder<ConversationState, DirectMessageReceived> binder, ConversationStateMachine machine) =>
        binder
            .Then(machine.Decide)
            .Activity(activity => activity.OfType<TakeTurnActivity>())
            .Then(machine.Record);

    /// <summary>Recognize whose DM it is (I/O: the turn ledger), then hand over or not.</summary>
    public static EventActivityBinder<ConversationState, DirectMessageSentByAccount> Echo(
        this EventActivityBinder<ConversationState, DirectMessageSentByAccount> binder, ConversationStateMachine machine) =>
        binder
            .Activity(activity => activity.OfType<RecognizeEchoActivity>())
            .ThenAsync(machine.EchoedAsync);
}
