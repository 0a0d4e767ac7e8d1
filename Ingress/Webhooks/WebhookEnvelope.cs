using System.Text.Json;

namespace TwitterBot.Ingress.Webhooks;

/// <summary>
/// One webhook delivery reduced to what the translator reads, whichever envelope carried it. Direct
/// messages carry the event type they were delivered as: <c>dm.received</c> or <c>dm.sent</c> (the Account
/// Activity API does not say; its DMs count as received, and the sender tells an echo apart). An event
/// that did not convert is still here, with its problem, so that it is counted; a user that did not
/// convert is left out.
/// </summary>
public sealed record WebhookEnvelope(
    string Kind,
    string? AccountId,
    string DirectMessageType,
    IReadOnlyList<Isolated<DirectMessageEvent>> DirectMessages,
    IReadOnlyDictionary<string, XUser> Users,
    Isolated<RevokeEvent>? Revoke,
    Isolated<ReplayJobStatus>? ReplayJobStatus,
    IReadOnlyList<OtherEvents> Others)
{
    /// <summary>
    /// The X Activity API's id of this delivery (a signed 64-bit number's digits today; any string is kept). Not a
    /// dedupe key: a DM is recognised by its own id, which is the same through either API and in every redelivery.
    /// </summary>
    public string? EventUuid { get; init; }

    /// <summary>The XChat event of a <c>chat.received</c> / <c>chat.sent</c> delivery (its event type is <see cref="DirectMessageType"/>).</summary>
    public ActivityPayload? Chat { get; init; }

    public const string AccountActivity = "account_activity";
    public const string XActivity = "x_activity";
    public const string DirectMessageEvents = "direct_message_events";

    /// <summary>Decides which envelope arrived. Anything that is not clearly one of them is refused.</summary>
    /// <exception cref="UnrecognizedWebhookException">Neither envelope, or parts of both.</exception>
    public static WebhookEnvelope From(WebhookBody body)
    {
        // The member names are listed only to explain a rejection, never on the way to a 200.
        if (body.Data is { } activity)
        {
            if (AccountActivityMembers(body).Any())
            {
                throw new UnrecognizedWebhookException($"the X Activity envelope 'data' arrived together with Account Activity members ({string.Join(", ", AccountActivityMembers(body))})");
            }

            return FromXActivity(activity);
        }

        var recognisable = body.ForUserId is not null || body.UserEvent is not null || body.ReplayJobStatus is not null;
        if (!recognisable)
        {
            throw new UnrecognizedWebhookException(AccountActivityMembers(body).Any()
                ? $"members ({string.Join(", ", AccountActivityMembers(body))}) arrived without for_user_id"
                : "the body has none of the members of X's webhook envelopes");
        }

        return new WebhookEnvelope(
            AccountActivity,
            body.ForUserId,
            XActivityTypes.Received,
            body.DirectMessageEvents ?? [],
            Readable(body.Users),
            body.UserEvent switch
            {
                { Problem: { } problem } => new Isolated<RevokeEvent>(null, problem),
                { Value.Revoke: { } revoke } => new Isolated<RevokeEvent>(revoke, null),
                _ => null,
            },
            body.ReplayJobStatus,
            (body.Unmodelled ?? [])
                .Where(member => member.Key.EndsWith("_events", StringComparison.Ordinal)) // not metadata such as "apps"
                .Select(member => new OtherEvents(member.Key, CountOf(member.Value)))
                .ToList());
    }

    private static WebhookEnvelope FromXActivity(ActivityEvent activity)
    {
        if (string.IsNullOrEmpty(activity.EventType) || activity.Payload is null)
        {
            throw new UnrecognizedWebhookException("the X Activity envelope lacks data.event_type or data.payload");
        }

        var isDirectMessage = activity.EventType is XActivityTypes.Received or XActivityTypes.Sent;
        var isChat = activity.EventType is XActivityTypes.ChatReceived or XActivityTypes.ChatSent;
        var events = activity.Payload.DirectMessageEvents ?? [];
        return new WebhookEnvelope(
            XActivity,
            activity.Filter?.UserId,
            activity.EventType,
            isDirectMessage ? events : [],
            activity.Payload.Users is { } users
                ? users.Where(user => user.Value.Value?.Data is not null).ToDictionary(user => user.Key, user => user.Value.Value!.Data!, StringComparer.Ordinal)
                : EmptyUsers,
            Revoke: null,
            ReplayJobStatus: null,
            isDirectMessage || isChat ? [] : [new OtherEvents(activity.EventType, Math.Max(1, events.Count))])
        {
            EventUuid = activity.EventUuid,
            Chat = isChat ? activity.Payload : null,
        };
    }

    private static IEnumerable<string> AccountActivityMembers(WebhookBody body)
    {
        if (body.ForUserId is not null) yield return "for_user_id";
        if (body.DirectMessageEvents is not null) yield return DirectMessageEvents;
        if (body.Users is not null) yield return "users";
        if (body.UserEvent is not null) yield return "user_event";
        if (body.ReplayJobStatus is not null) yield return "replay_job_status";
        foreach (var member in body.Unmodelled?.Keys ?? Enumerable.Empty<string>()) yield return member;
    }

    private static IReadOnlyDictionary<string, XUser> Readable(IReadOnlyDictionary<string, Isolated<XUser>>? users) =>
        users is null ? EmptyUsers : users.Where(user => user.Value.Value is not null).ToDictionary(user => user.Key, user => user.Value.Value!, StringComparer.Ordinal);

    private static int CountOf(JsonElement member) =>
        member.ValueKind == JsonValueKind.Array ? member.GetArrayLength() : 1;

    private static readonly IReadOnlyDictionary<string, XUser> EmptyUsers = new Dictionary<string, XUser>();
}

/// <summary>The X Activity API's direct-message and XChat event types.</summary>
public static class XActivityTypes
{
    public const string Received = "dm.received";
    public const string Sent = "dm.sent";
    public const string Read = "dm.read";
    public const string IndicateTyping = "dm.indicate_typing";

    /// <summary>XChat, end-to-end encrypted (docs.x.com xchat/real-time-events).</summary>
    public const string ChatReceived = "chat.received";

    public const string ChatSent = "chat.sent";
}

/// <summary>Events of a type we count and drop (typing, read receipts, follows, tweets, …).</summary>
public sealed record OtherEvents(string Type, int Count);

/// <summary>The body is JSON, but not one of X's webhook envelopes.</summary>
public sealed class UnrecognizedWebhookException(string reason) : Exception($"Not an X webhook event: {reason}.");
