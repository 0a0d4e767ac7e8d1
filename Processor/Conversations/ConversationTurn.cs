using MassTransit;
using Microsoft.Extensions.Options;
using TwitterBot.Contracts;
using TwitterBot.Conventions.Accounts;
using TwitterBot.Conventions.Ids;
using TwitterBot.Processor.Channels;
using TwitterBot.Processor.Clients.Gateway;
using TwitterBot.Processor.Clients.X;
using TwitterBot.Processor.Options;
using TwitterBot.Processor.Quota;
using TwitterBot.Processor.Replies;

namespace TwitterBot.Processor.Conversations;

/// <summary>
/// One user message, answered exactly once: the gateway is asked at most once per X event (its answer is
/// stored before any reply goes out), replies resume where a crash left them, a reply whose send began but
/// whose outcome was lost is looked up on X (exactly, and only among DMs not recorded as other sends) before
/// it is sent again, and X's rate limit is waited out in place, shared by every replica. X's windows are read
/// from every answer (a spent one is waited out before any call), X refusing the app for money suspends every
/// send of every replica (<see cref="SendingQuota"/>), and a reply that could only go out after its user's DM is
/// <c>Processor:Replies:MaxAge</c> old is rejected as too old.
/// </summary>
public sealed partial class ConversationTurn(
    ITurnLedger turns,
    RateLimits rateLimits,
    SendingQuota quota,
    ConsumptionGate gate,
    BotAccess access,
    BotAccounts bots,
    GatewayClient gateway,
    IReplyChannel channel,
    IOptions<ProcessorOptions> options,
    IOptions<GatewayOptions> gatewayOptions,
    ProcessorTelemetry telemetry,
    TimeProvider time,
    ILogger<ConversationTurn> logger)
{
    /// <param name="sendStart">
    /// The conversation's decision that this turn begins a new gateway session with <c>START</c>. A turn that
    /// already stored its welcome or its answer keeps what it stored: a retry never sends <c>START</c> twice.
    /// </param>
    /// <param name="events">Where a <see cref="DirectMessageRejected"/> is published when X refuses a reply for good.</param>
    /// <returns>The answer the turn holds; null when it ended without asking the gateway (the account revoked the app).</returns>
    /// <param name="finishing">
    /// When given, the turn's last write (its last reply's <c>Sent</c>) is staged and the claim handed to it, to be
    /// stored with the conversation's save in one round trip.
    /// </param>
    public async Task<PlannedAnswer?> TakeAsync(
        DirectMessageReceived message, Guid messageId, bool sendStart, IPublishEndpoint events, CancellationToken cancellationToken, TurnFinishing? finishing = null)
    {
        var bot = bots.Find(message.BotUserId)
            ?? throw new InvalidOperationException($"No bot account with UserId {message.BotUserId} is configured (TwitterBot:Bots).");
        var token = new XUserToken(bot.AccessToken!, bot.AccessSecret!);
        telemetry.Turn(message);

        var claim = await turns.ClaimTurnAsync(messageId, ConversationKeys.For(message.BotUserId, message.SenderId), message.EventId, cancellationToken)
            ?? throw new TurnInProgressException(message.EventId, message.BotUserId);
        var handedOver = false;
        try
        {
            var answer = await TakeAsync(message, messageId, sendStart, events, claim, token, finishing, cancellationToken);
            if (finishing is not null && claim.HasStaged && claim.Turn.IsFinished)
            {
                finishing.Hold(claim);
                handedOver = true;
            }

            return answer;
        }
        finally
        {
            if (!handedOver)
            {
                await claim.DisposeAsync();
            }
        }
    }

    private async Task<PlannedAnswer?> TakeAsync(
        DirectMessageReceived message, Guid messageId, bool sendStart, IPublishEndpoint events, TurnClaim claim, XUserToken token, TurnFinishing? finishing,
        CancellationToken cancellationToken)
    {
        var turn = claim.Turn;
        if (turn.IsFinished)
        {
            LogAlreadyAnswered(message.EventId, message.BotUserId, turn.State);
            ProcessorTelemetry.Outcome("duplicate");
            return turn.Answer;
        }

        if (await access.IsRevokedAsync(message.BotUserId, token, cancellationToken))
        {
            // The account took the app's access away: end the turn now rather than fail at X.
            await RejectAsync(message, claim, turn.NextReply, 401, 89, RevokedReason, events, cancellationToken);
            ProcessorTelemetry.Outcome("revoked");
            return null;
        }

        if (turn.Answer is null)
        {
            // X bills each DM it delivers: counted once per event, when the gateway is first asked about it.
            telemetry.Spent(message.BotUserId, "dm_received", options.Value.Pricing.DirectMessageReceived);
        }

        var answer = turn.Answer ?? await AskGatewayAsync(message, claim, token, turn.Welcome, sendStart, cancellationToken);
        var replies = answer.Replies;
        var next = turn.NextReply;
        if (turn.ReplyInFlight is { } unknown && unknown < replies.Count)
        {
            // A send of this reply began but its outcome was never recorded (the process stopped, or X's
            // answer was lost or proved nothing). Ask X whether it has that DM before deciding: never twice, never lost.
            if (await FindSentAsync(message, token, replies[unknown], unknown, turn.ReplyInFlightSince ?? DateTimeOffset.MinValue, cancellationToken) is { } found)
            {
                LogSettledAsSent(message.EventId, unknown);
                await claim.SaveAsync(t => t.Sent(unknown), new SentReply(message.BotUserId, found, time.GetUtcNow()), cancellationToken);
                next = unknown + 1;
            }
            else
            {
                LogSettledAsNotSent(message.EventId, unknown);
                await claim.SaveAsync(t => t.NotSent(unknown), cancellationToken);
            }
        }

        try
        {
            for (var index = next; index < replies.Count; index++)
            {
                if (index > 0 && options.Value.Replies.PauseBetween > TimeSpan.Zero)
                {
                    await Task.Delay(options.Value.Replies.PauseBetween, time, cancellationToken);
                }

                var last = index == replies.Count - 1 && answer.Signal == ConversationSignal.None;
                if (!await SendAsync(message, claim, token, answer, index, events, finishing is not null && last, cancellationToken))
                {
                    ProcessorTelemetry.Outcome("rejected");
                    return answer;
                }
            }

            // Without a signal to publish after the bot's last words, marking the last reply sent completed the turn.
            // Otherwise the signal is published first; a crash before the turn is closed publishes it again, under the same id.
            if (!claim.Turn.IsFinished)
            {
                await claim.FlushAsync(cancellationToken);
                await PublishSignalAsync(message, messageId, answer.Signal, events, cancellationToken);
                await claim.SaveAsync(t => t.Finished(TurnState.Completed, null), cancellationToken);
            }
        }
        catch (Exception) when (claim.HasStaged)
        {
            // The gateway's answer was staged to ride with the first reply's send mark: stored now, so that the
            // retry sends it rather than asking the gateway again.
            await claim.FlushAsync(CancellationToken.None);
            throw;
        }

        ProcessorTelemetry.Outcome("answered");
        LogAnswered(message.EventId, message.BotUserId, replies.Count - next);
        return answer;
    }

    private static async Task PublishSignalAsync(
        DirectMessageReceived message, Guid messageId, ConversationSignal signal, IPublishEndpoint events, CancellationToken cancellationToken)
    {
        object? happened = signal switch
        {
            ConversationSignal.Ended => new ConversationEnded { BotUserId = message.BotUserId, BotId = message.BotId, UserId = message.SenderId, EventId = message.EventId },
            ConversationSignal.HandedOver => new ConversationHandedOver { BotUserId = message.BotUserId, BotId = message.BotId, UserId = message.SenderId, EventId = message.EventId },
            _ => null,
        };
        if (happened is not null)
        {
            var id = MessageIds.Derived(messageId, signal.ToString());
            await events.Publish(happened, happened.GetType(), Pipe.Execute<PublishContext>(context => context.MessageId = id), cancellationToken);
        }
    }

    /// <summary>
    /// Asks the gateway about the user's text, after <c>START</c> when the conversation decided that the turn
    /// begins a new gateway session. That decision and the welcome are stored before the text is asked
    /// (<paramref name="welcome"/> is what a failed attempt stored): a retry neither takes a new decision nor
    /// asks <c>START</c> again, and the text is answered once.
    /// </summary>
    private async Task<PlannedAnswer> AskGatewayAsync(
        DirectMessageReceived message, TurnClaim claim, XUserToken token, PlannedAnswer? welcome, bool sendStart, CancellationToken cancellationToken)
    {
        if (options.Value.Replies.MarkRead)
        {
            await BestEffortAsync("mark-read", () => channel.MarkReadAsync(To(message, token), message.EventId, cancellationToken));
        }

        if (options.Value.Replies.TypingIndicator)
        {
            await BestEffortAsync("typing indicator", () => channel.IndicateTypingAsync(To(message, token), cancellationToken));
        }

        var request = GatewayRequests.For(message);
        if (welcome is null && sendStart)
        {
            welcome = ReplyPlanner.Plan(await AskAsync(request with { Text = GatewayRequests.StartText }, cancellationToken));
            await claim.SaveAsync(t => t.Welcomed(welcome), cancellationToken);
        }

        PlannedAnswer answer;
        try
        {
            answer = ReplyPlanner.Plan(await AskAsync(request, cancellationToken));
        }
        catch (GatewayException) when (welcome is null && gatewayOptions.Value.SendStartOnNewSession)
        {
            // The session continues: recorded, so that a retry later than the session timeout does not send START.
            await claim.SaveAsync(t => t.Welcomed(new PlannedAnswer([])), cancellationToken);
            throw;
        }

        if (welcome is { Replies.Count: > 0 })
        {
            // The bot's welcome first, then its answer to what the user wrote.
            answer = answer with { Replies = [.. welcome.Replies, .. answer.Replies] };
        }

        // Stored with the first reply's send mark, one write instead of two (see SendAsync).
        claim.Stage(t => t.Answered(answer));
        return answer;
    }

    private async Task<BotAnswer> AskAsync(GatewayRequest request, CancellationToken cancellationToken)
    {
        var started = time.GetTimestamp();
        try
        {
            var answer = await gateway.AskAsync(request, cancellationToken);
            telemetry.GatewayCalled(time.GetElapsedTime(started), "answered");
            return answer;
        }
        catch (GatewayException)
        {
            telemetry.GatewayCalled(time.GetElapsedTime(started), "failed");
            throw;
        }
    }

    /// <summary>
    /// The DM on X that is <paramref name="reply"/>, sent since <paramref name="since"/> and not recorded as the send
    /// of another reply (of this turn or any other), if X has one.
    /// </summary>
    /// <exception cref="ReplyLookupUndecidedException">X cannot tell yet: retried, neither sent nor taken as sent meanwhile.</exception>
    private async Task<string?> FindSentAsync(DirectMessageReceived message, XUserToken token, PlannedReply reply, int index, DateTimeOffset since, CancellationToken cancellationToken)
    {
        IReadOnlyList<string> candidates;
        try
        {
            candidates = await channel.FindSentAsync(To(message, token, index), reply, since, cancellationToken);
        }
        catch (ReplyLookupUndecidedException failure)
        {
            telemetry.ReplyLookedUp("undecided");
            LogLookupUndecided(message.EventId, index, failure.Message);
            throw;
        }

        var recorded = await turns.RecordedSendsAsync(message.BotUserId, candidates, cancellationToken);
        var found = candidates.FirstOrDefault(id => !recorded.Contains(id));
        telemetry.ReplyLookedUp(found is null ? "not_found" : "found");
        return found;
    }

    /// <summary>
    /// X took the reply (2xx) but its answer named no id: the newest DM on X that is that reply, sent since the
    /// send began and not recorded as another send, so that no later lookup takes it for another reply. X's 2xx
    /// proves the DM went out, so when X does not list it (yet), or cannot be read, the reply is still sent: it is
    /// marked so unrecorded, as a retry would send the user a certain duplicate to avoid an unlikely mismatch.
    /// </summary>
    private async Task<string?> IdOfAcceptedAsync(DirectMessageReceived message, XUserToken token, PlannedReply reply, int index, DateTimeOffset since, CancellationToken cancellationToken)
    {
        try
        {
            var candidates = await channel.FindSentAsync(To(message, token, index), reply, since, cancellationToken);
            var recorded = await turns.RecordedSendsAsync(message.BotUserId, candidates, cancellationToken);
            if (candidates.LastOrDefault(id => !recorded.Contains(id)) is { } found)
            {
                return found;
            }

            LogAcceptedUnrecorded(message.EventId, index, "X does not list it yet");
        }
        catch (ReplyLookupUndecidedException failure)
        {
            LogAcceptedUnrecorded(message.EventId, index, failure.Message);
        }

        return null;
    }

    /// <summary>Sends one reply, waiting out rate limits; false when X refused it for good (the turn is over).</summary>
    /// <param name="deferFinish">The reply is the turn's last words: its <c>Sent</c>, which finishes the turn, is staged, not stored.</param>
    private async Task<bool> SendAsync(
        DirectMessageReceived message, TurnClaim claim, XUserToken token, PlannedAnswer answer, int index, IPublishEndpoint events, bool deferFinish,
        CancellationToken cancellationToken)
    {
        var reply = answer.Replies[index];
        if (claim.HasStaged && (reply.MediaUrl is not null
            || await rateLimits.ResetOfAsync(message.BotUserId, cancellationToken) is not null
            || await quota.SuspensionAsync(cancellationToken) is not null))
        {
            // An upload, a rate-limit wait or the app's suspension comes before the send mark: the staged answer is stored first.
            await claim.FlushAsync(cancellationToken);
        }

        var outgoing = await channel.PrepareAsync(To(message, token, index), reply, message.EventId, cancellationToken);
        // On a partition the gate controls, the app's suspension is not waited out in place: the partition stops.
        var partition = gate.PartitionOf(events);
        var waitsUntil = time.GetUtcNow() + (partition is null ? options.Value.Replies.MaxRateLimitWait : TimeSpan.Zero);
        while (true)
        {
            try
            {
                await WaitForRateLimitAsync(message.BotUserId, cancellationToken);
                await quota.WaitUntilMaySendAsync(waitsUntil, cancellationToken);
            }
            catch (Exception held) when (partition is not null && held is RateLimitedException or SendingSuspendedException)
            {
                throw await HoldAsync(partition, message.BotUserId, held, cancellationToken);
            }
            if (time.GetUtcNow() - message.CreatedAt > options.Value.Replies.MaxAge)
            {
                // Held back so long (a suspension, a spent window) that the answer would arrive too late to help.
                telemetry.SendRefused("too_old");
                await RejectAsync(message, claim, index, TooOldStatus, null, TooOldReason, events, cancellationToken);
                return false;
            }

            // Held until X's last answer leaves room for this send beside this replica's others in flight; released after its answer is read.
            using var lease = await rateLimits.TakeSendAsync(message.BotUserId, cancellationToken);

            // Marked only now, right before X is asked: a stop during the pause, the upload or a wait leaves
            // nothing to look up, and the time marked bounds the lookup to DMs sent after it.
            var sendBegan = time.GetUtcNow();
            await claim.SaveAsync(t => t.Sending(index, sendBegan), cancellationToken);
            string? sentId;
            using var answered = XQuotaCapture.Open();
            try
            {
                sentId = await channel.SendAsync(To(message, token, index), outgoing, cancellationToken);
            }
            catch (XApiException failure) when (failure.Kind == XFailureKind.OutOfCredits)
            {
                // Not sent, and no retry helps until an operator pays: every replica stops, the message waits.
                await claim.SaveAsync(t => t.NotSent(index), cancellationToken);
                telemetry.DirectMessage("out_of_credits");
                await quota.OutOfCreditsAsync(failure, cancellationToken);
                continue;
            }
            catch (XApiException failure) when (failure.Kind == XFailureKind.RateLimited)
            {
                await claim.SaveAsync(t => t.NotSent(index), cancellationToken);
                telemetry.SendRefused("rate_limited");
                await quota.ObservedAsync(message.BotUserId, failure.Quota, cancellationToken);
                var resetsAt = await rateLimits.LimitedAsync(message.BotUserId, failure.RateLimitResetsAt, cancellationToken);
                telemetry.DirectMessage("rate_limited");
                LogRateLimited(message.BotUserId, resetsAt);
                continue;
            }
            catch (XApiException failure) when (failure.Kind == XFailureKind.Revoked)
            {
                await access.RevokeAsync(message.BotUserId, token, time.GetUtcNow(), cancellationToken);
                await RejectAsync(message, claim, index, failure.StatusCode, failure.ErrorCode, failure.Message, events, cancellationToken);
                return false;
            }
            catch (XApiException failure) when (failure.Kind == XFailureKind.Permanent)
            {
                await RejectAsync(message, claim, index, failure.StatusCode, failure.ErrorCode, failure.Message, events, cancellationToken);
                return false;
            }
            catch (XApiException failure) when (failure.Kind == XFailureKind.AuthenticationFailed)
            {
                if (await access.RefusedAsync(message.BotUserId, token, channel.ErrorsNameRevocation, cancellationToken) is { } refusedSince)
                {
                    // v2: no code tells a revoked token from a bad signature, but a refusal this long is revocation.
                    LogRefusedTooLong(message.BotUserId, refusedSince);
                    await RejectAsync(message, claim, index, failure.StatusCode, failure.ErrorCode, RevokedReason, events, cancellationToken);
                    return false;
                }

                // Not (yet) a revocation: X did not take this signature (keys, clock). Retried; the operator is told once.
                await claim.SaveAsync(t => t.NotSent(index), cancellationToken);
                telemetry.AuthenticationFailed(failure.ErrorCode ?? 0);
                if (access.AuthenticationFailed(message.BotUserId, failure.ErrorCode))
                {
                    LogAuthenticationFailed(message.BotUserId, failure.StatusCode, failure.ErrorCode, AuthenticationAdvice(failure.ErrorCode));
                }

                throw;
            }
            catch (Exception failure) when (failure is XOutcomeUnknownException || failure is XApiException { OutcomeUnknown: true })
            {
                // A timeout, a dropped connection or a 5xx proves nothing about delivery: the reply stays in
                // flight, and the retry looks it up on X before sending anything.
                LogOutcomeUnknown(message.EventId, index, failure.Message);
                throw;
            }
            catch (Exception failure) when (failure is XApiException or HttpRequestException)
            {
                // X refused it (4xx), or could not be reached at all (connection refused): it was not sent. Retried later.
                await claim.SaveAsync(t => t.NotSent(index), cancellationToken);
                throw;
            }

            await quota.ObservedAsync(message.BotUserId, answered.Last, cancellationToken);
            await quota.AcceptedAsync(message.BotUserId, cancellationToken);
            sentId ??= await IdOfAcceptedAsync(message, token, reply, index, sendBegan, cancellationToken);
            var sent = sentId is null ? null : new SentReply(message.BotUserId, sentId, time.GetUtcNow());
            if (deferFinish && !claim.HasStaged && claim.Turn.Sent(index).IsFinished)
            {
                // Stored with the conversation's save, in one round trip (TurnFinishing); a stop before it is a send in
                // flight, looked up on X by the retry, as a stop right before this write would be.
                claim.Stage(t => t.Sent(index), sent);
            }
            else
            {
                await claim.SaveAsync(t => t.Sent(index), sent, cancellationToken);
            }

            rateLimits.Sent(message.BotUserId);
            await access.AcceptedAsync(message.BotUserId, channel.ErrorsNameRevocation, cancellationToken);
            if (access.AuthenticationWorks(message.BotUserId))
            {
                LogAuthenticationWorks(message.BotUserId);
            }

            telemetry.DirectMessage("sent");
            return true;
        }
    }

    private static string AuthenticationAdvice(int? code) => code switch
    {
        135 => "X says the request's timestamp is out of bounds: fix this host's clock (NTP).",
        32 => "X could not authenticate the request: check TwitterBot:Auth (ConsumerKey, ConsumerSecret) and the bot's AccessToken and AccessSecret in TwitterBot:Bots.",
        _ => "Check TwitterBot:Auth, the bot's tokens in TwitterBot:Bots, and this host's clock.",
    };

    private static ReplyAddress To(DirectMessageReceived message, XUserToken token) => new(token, message.BotUserId, message.SenderId);

    private static ReplyAddress To(DirectMessageReceived message, XUserToken token, int index) => To(message, token) with { ReplyIndex = index };

    public const string TooOldReason = "too old";

    /// <summary>The <c>HttpStatus</c> of a rejection X was not asked about (the reply was too old to send): none.</summary>
    public const int TooOldStatus = 0;

    public const string RevokedReason = "The bot account revoked this app's access: authorize the app again and set its new tokens in TwitterBot:Bots.";

    /// <summary>Ends the turn for good. Published before the turn is closed: a crash in between publishes it again (same id), never loses it.</summary>
    private async Task RejectAsync(
        DirectMessageReceived message, TurnClaim claim, int index, int status, int? code, string reason, IPublishEndpoint events, CancellationToken cancellationToken)
    {
        LogRejected(message.EventId, message.BotUserId, index, status, code, reason);
        telemetry.DirectMessage("rejected");
        await events.Publish(new DirectMessageRejected
        {
            EventId = message.EventId,
            BotUserId = message.BotUserId,
            BotId = message.BotId,
            RecipientId = message.SenderId,
            ReplyIndex = index,
            HttpStatus = status,
            ErrorCode = code,
            Reason = reason,
        }, context => context.MessageId = MessageIds.Derived(claim.MessageId, "rejected"), cancellationToken);
        await claim.SaveAsync(t => t.Finished(TurnState.Rejected, reason), cancellationToken);
    }

    /// <summary>Stops consuming (every partition for the app's hold, this one for one bot's window) and gives the message back.</summary>
    private async Task<Exception> HoldAsync(Uri partition, string botUserId, Exception held, CancellationToken cancellationToken)
    {
        if (held is RateLimitedException limited)
        {
            var appWide = await rateLimits.AppResetOfAsync(cancellationToken) >= limited.ResetsAt;
            return await gate.HoldAsync(partition, appWide, appWide ? "the app's window on X is spent" : $"bot {botUserId}'s window on X is spent", limited.ResetsAt, cancellationToken);
        }

        var suspension = await quota.SuspensionAsync(cancellationToken);
        return await gate.HoldAsync(partition, appWide: true, suspension?.Reason ?? "X refuses the app's sends for money", null, cancellationToken);
    }

    private async Task WaitForRateLimitAsync(string botUserId, CancellationToken cancellationToken)
    {
        if (await rateLimits.ResetOfAsync(botUserId, cancellationToken) is not { } resetsAt)
        {
            return;
        }

        var wait = resetsAt - time.GetUtcNow();
        if (wait > options.Value.Replies.MaxRateLimitWait)
        {
            throw new RateLimitedException(botUserId, resetsAt);
        }

        if (wait > TimeSpan.Zero)
        {
            LogWaiting(botUserId, wait);
            await Task.Delay(wait, time, cancellationToken);
        }
    }

    private async Task BestEffortAsync(string what, Func<Task> call)
    {
        try
        {
            await call();
        }
        catch (Exception failure) when (failure is XApiException or XOutcomeUnknownException or HttpRequestException)
        {
            LogBestEffortFailed(what, failure.Message);
        }
    }

    [LoggerMessage(LogLevel.Information, "Event {EventId} for bot {BotUserId}: {Count} replies sent.")]
    private partial void LogAnswered(string eventId, string botUserId, int count);

    [LoggerMessage(LogLevel.Information, "Event {EventId} for bot {BotUserId} was already answered ({State}); this delivery is a duplicate.")]
    private partial void LogAlreadyAnswered(string eventId, string botUserId, TurnState state);

    [LoggerMessage(LogLevel.Warning, "Event {EventId}: reply {Index} was being sent when its outcome was lost; X has it, so it is not sent again.")]
    private partial void LogSettledAsSent(string eventId, int index);

    [LoggerMessage(LogLevel.Warning, "Event {EventId}: reply {Index} was being sent when its outcome was lost; X does not have it, so it is sent now.")]
    private partial void LogSettledAsNotSent(string eventId, int index);

    [LoggerMessage(LogLevel.Warning, "Event {EventId}: X's answer to reply {Index} proves nothing about its delivery ({Reason}); it is looked up on X before anything is sent again.")]
    private partial void LogOutcomeUnknown(string eventId, int index, string reason);

    [LoggerMessage(LogLevel.Warning, "Event {EventId}: X took reply {Index} without naming its id, and its id could not be found ({Reason}); it is marked sent without a record of its DM.")]
    private partial void LogAcceptedUnrecorded(string eventId, int index, string reason);

    [LoggerMessage(LogLevel.Warning, "Event {EventId}: whether reply {Index} reached X cannot be told yet ({Reason}); X is asked again on the next retry, and nothing is sent meanwhile.")]
    private partial void LogLookupUndecided(string eventId, int index, string reason);

    [LoggerMessage(LogLevel.Error, "X refused bot {BotUserId}'s credentials ({Status}, code {Code}); this is not a revocation, so its replies are retried, not ended. {Advice} Logged once until X accepts them again.")]
    private partial void LogAuthenticationFailed(string botUserId, int status, int? code, string advice);

    [LoggerMessage(LogLevel.Error, "X API v2 has refused every send of bot {BotUserId} with 401 since {Since:O}, longer than Processor:Replies:RevokeAfterUnauthorized: its token is taken as revoked. Its conversations now end with DirectMessageRejected (no call to the gateway or X) until the account authorizes the app again and its new tokens are set in TwitterBot:Bots (AccessToken, AccessSecret).")]
    private partial void LogRefusedTooLong(string botUserId, DateTimeOffset since);

    [LoggerMessage(LogLevel.Information, "X accepts bot {BotUserId}'s credentials again.")]
    private partial void LogAuthenticationWorks(string botUserId);

    [LoggerMessage(LogLevel.Warning, "Bot {BotUserId} is rate-limited by X until {ResetsAt:O}; its conversations wait.")]
    private partial void LogRateLimited(string botUserId, DateTimeOffset resetsAt);

    [LoggerMessage(LogLevel.Debug, "Bot {BotUserId}: waiting {Wait} for X's rate limit to reset.")]
    private partial void LogWaiting(string botUserId, TimeSpan wait);

    [LoggerMessage(LogLevel.Warning, "Event {EventId} for bot {BotUserId}: X refused reply {Index} for good ({Status}, code {Code}): {Reason}")]
    private partial void LogRejected(string eventId, string botUserId, int index, int status, int? code, string reason);

    [LoggerMessage(LogLevel.Debug, "The {What} call to X failed and was skipped: {Reason}")]
    private partial void LogBestEffortFailed(string what, string reason);
}

/// <summary>X's rate limit resets later than a conversation may wait in place: the message is retried later.</summary>
public sealed class RateLimitedException(string botUserId, DateTimeOffset resetsAt)
    : Exception($"Bot {botUserId} is rate-limited by X until {resetsAt:O}.")
{
    public DateTimeOffset ResetsAt { get; } = resetsAt;
}
