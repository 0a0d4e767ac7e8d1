using System.Collections.Concurrent;
using System.Globalization;
using System.Text;
using System.Text.Json.Nodes;
using System.Threading.Channels;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using TwitterBot.Processor.XChat.Protocol;

namespace TwitterBot.Simulators;

/// <summary>
/// X's XChat routes (X's OpenAPI, docs.x.com x-api/chat/* and x-api/users/get-user-public-keys): public keys per
/// user, conversations with their events (messages and key changes), sending and typing, and the <c>chat.received</c>
/// webhook (<see cref="DeliverChatAsync"/>). Events are put there by simulated users (<see cref="FakeChatUser"/>, who
/// hold their own keys) or sent by the bot. What the bot sends is checked by <see cref="AcceptBotMessage"/> as the
/// recipient's client would: assembled into the event X delivers, verified with the bot's served keys and decrypted
/// with the conversation key the simulated users hold. The simulator's cipher is the project's own protocol code
/// (<c>Processor/XChat/Protocol</c>), so X's published vectors (Tests/XChat) are what keep both sides honest.
/// </summary>
public sealed partial class FakeXApi
{
    private readonly ConcurrentDictionary<string, FakeChatConversation> _chats = new(StringComparer.Ordinal);
    private long _nextChatSequence;

    /// <summary>Each user's registered XChat public keys, by user id, in registration order.</summary>
    public ConcurrentDictionary<string, List<FakePublicKey>> PublicKeys { get; } = new(StringComparer.Ordinal);

    /// <summary>Every message the bot submitted (each <c>message_id</c> once: a retry of the same id is X's dedupe, not a second message).</summary>
    public ConcurrentQueue<FakeChatSubmission> ChatSubmissions { get; } = new();

    /// <summary>Bot messages <see cref="AcceptBotMessage"/> refused, in arrival order.</summary>
    public ConcurrentQueue<FakeChatSubmission> RefusedChatSubmissions { get; } = new();

    /// <summary>Typing indicators sent to XChat conversations: the conversation id as the bot addressed it.</summary>
    public ConcurrentQueue<string> ChatTyping { get; } = new();

    /// <summary>The conversation keys simulated users hold, by canonical conversation id (<c>a:b</c>) and key version.</summary>
    public ConcurrentDictionary<(string ConversationId, string KeyVersion), XChatConversationKey> ChatKeys { get; } = new();

    /// <summary>The bot's messages that verified and decrypted, in arrival order (each message id once).</summary>
    public ConcurrentQueue<FakeChatReply> ChatReplies { get; } = new();

    private readonly Channel<FakeChatReply> _chatReplies = Channel.CreateUnbounded<FakeChatReply>();
    private readonly List<FakeChatReply> _chatRepliesRead = [];

    /// <summary>The bot's messages that verified, as they arrive, for a reader that shows them live (not with <see cref="WaitForChatRepliesAsync"/>).</summary>
    public ChannelReader<FakeChatReply> ChatAccepted => _chatReplies.Reader;

    /// <summary>Waits until <paramref name="count"/> of the bot's messages verified and decrypted (bounded, so a broken pipeline fails).</summary>
    public async Task<IReadOnlyList<FakeChatReply>> WaitForChatRepliesAsync(int count, TimeSpan within)
    {
        using var timeout = new CancellationTokenSource(within);
        while (_chatRepliesRead.Count < count)
        {
            _chatRepliesRead.Add(await _chatReplies.Reader.ReadAsync(timeout.Token));
        }

        return [.. _chatRepliesRead];
    }

    /// <summary>The canonical id of a one-to-one conversation in URLs: the two user ids, smaller first, joined by <c>-</c>.</summary>
    public static string OneToOneConversationId(string userId, string otherUserId)
    {
        var (low, high) = ulong.Parse(userId, CultureInfo.InvariantCulture) <= ulong.Parse(otherUserId, CultureInfo.InvariantCulture)
            ? (userId, otherUserId)
            : (otherUserId, userId);
        return $"{low}-{high}";
    }

    /// <summary>Registers <paramref name="key"/> for <paramref name="userId"/> (a simulated user publishing its keys).</summary>
    public void RegisterPublicKey(string userId, FakePublicKey key)
    {
        var keys = PublicKeys.GetOrAdd(userId, _ => []);
        lock (keys)
        {
            keys.RemoveAll(k => k.Version == key.Version);
            keys.Add(key);
        }
    }

    /// <summary>A simulated user puts a message event (base64, as X stores it) into the conversation.</summary>
    public FakeChatEvent AddChatMessage(string conversationId, string senderId, string encodedEvent) =>
        Conversation(conversationId).Add(NextChatId(), senderId, encodedEvent, Now, keyChange: false);

    /// <summary>A simulated user puts a key-change event (base64) into the conversation; X lists it in <c>meta.conversation_key_events</c>.</summary>
    public FakeChatEvent AddChatKeyChange(string conversationId, string senderId, string encodedKeyChange) =>
        Conversation(conversationId).Add(NextChatId(), senderId, encodedKeyChange, Now, keyChange: true);

    /// <summary>The conversation's events, oldest first (messages and key changes).</summary>
    public IReadOnlyList<FakeChatEvent> ChatEvents(string conversationId) =>
        _chats.TryGetValue(Canonical(conversationId, null), out var conversation) ? conversation.Snapshot() : [];

    /// <summary>
    /// A simulated user's message reaches the bot: stored in the conversation, then delivered as X Activity's
    /// <c>chat.received</c> through <paramref name="webhook"/> (signed, retried on X's schedule).
    /// </summary>
    /// <returns>Whether the Ingress answered 200.</returns>
    public async Task<bool> DeliverChatAsync(
        XWebhookSender webhook, string botUserId, string senderId, string encodedEvent,
        string? conversationKeyVersion = null, string? conversationKeyChangeEvent = null, CancellationToken cancellationToken = default)
    {
        var conversationId = OneToOneConversationId(botUserId, senderId);
        var stored = AddChatMessage(conversationId, senderId, encodedEvent);
        var eventUuid = Guid.NewGuid().ToString();
        return await webhook.DeliverAsync(
            eventUuid,
            XChatDeliveries.ChatReceived(botUserId, eventUuid, conversationId, senderId, stored.EncodedEvent, conversationKeyVersion, conversationKeyChangeEvent),
            cancellationToken);
    }

    /// <summary>
    /// Whether a message the bot sent opens as its recipient's client would open it: assembled into the event X would
    /// deliver (<see cref="XChatProtocol.AssembleMessageEvent"/>), verified with the sender's served keys and decrypted
    /// with a key a simulated user holds (<see cref="ChatKeys"/>). A refused message is answered 400 and recorded in
    /// <see cref="RefusedChatSubmissions"/>.
    /// </summary>
    /// <returns>The assembled event and the opened message; null when it does not verify or decrypt.</returns>
    public (string EncodedEvent, XChatOpenedMessage Opened)? AcceptBotMessage(FakeChatSubmission submission, string sequenceId, DateTimeOffset at)
    {
        try
        {
            var encoded = XChatProtocol.AssembleMessageEvent(
                submission.MessageId, submission.SenderId, submission.ConversationId, submission.EncodedMessageCreateEvent,
                submission.EncodedMessageEventSignature ?? string.Empty, sequenceId, at.ToUnixTimeMilliseconds().ToString(CultureInfo.InvariantCulture));
            if (XChatEvents.Decode(encoded) is not XChatMessageEvent message)
            {
                return null;
            }

            var opened = XChatProtocol.OpenMessage(
                message, (conversation, version) => ChatKeys.TryGetValue((conversation, version), out var key) ? key : null, ServedKeys(submission.SenderId));
            return (encoded, opened);
        }
        catch (XChatProtocolException)
        {
            return null;
        }
    }

    /// <summary>The key sets X serves for <paramref name="userId"/>, as the protocol reads them.</summary>
    public IReadOnlyList<XChatUserPublicKeys> ServedKeys(string userId) =>
        PublicKeys.TryGetValue(userId, out var registered)
            ? Locked(registered, list => list.Where(k => k.IdentityPublicKeySignature is not null)
                .Select(k => XChatUserPublicKeys.FromServed(userId, k.Version, k.PublicKey, k.SigningPublicKey, k.IdentityPublicKeySignature!)).ToList())
            : [];

    private void MapXChat(WebApplication app)
    {
        app.MapGet("/2/users/{id}/public_keys", (string id, HttpRequest request) =>
        {
            if (Authenticate(request, []) is null)
            {
                return Unauthorized();
            }

            var keys = PublicKeys.TryGetValue(id, out var registered) ? Locked(registered, list => list.ToList()) : [];
            return Results.Json(new
            {
                data = keys.Select(k => new
                {
                    public_key = k.PublicKey,
                    signing_public_key = k.SigningPublicKey,
                    identity_public_key_signature = k.IdentityPublicKeySignature,
                    public_key_version = k.Version,
                }),
            });
        });

        // A user registers its own keys; X assigns the version when asked to (generate_version).
        app.MapPost("/2/users/{id}/public_keys", async (string id, HttpContext context) =>
        {
            if (Authenticate(context.Request, []) is not { } token)
            {
                return Unauthorized();
            }

            if (SenderOf(token) != id)
            {
                return Problem(403, "Forbidden", "A user registers only its own public keys.");
            }

            var body = (await JsonNode.ParseAsync(context.Request.Body))!;
            var key = body["public_key"];
            if (key?["public_key"]?.GetValue<string>() is not { Length: > 0 } identity || key["signing_public_key"]?.GetValue<string>() is not { Length: > 0 } signing)
            {
                return Problem(400, "Invalid Request", "public_key.public_key and public_key.signing_public_key are required.");
            }

            var version = body["generate_version"]?.GetValue<bool>() == true || body["version"]?.GetValue<string>() is not { Length: > 0 } asked
                ? Now.ToUnixTimeMilliseconds().ToString(CultureInfo.InvariantCulture)
                : asked;
            RegisterPublicKey(id, new FakePublicKey(version, identity, signing, key["identity_public_key_signature"]?.GetValue<string>()));
            return Results.Json(new { data = new { public_key_version = version } });
        });

        app.MapGet("/2/chat/conversations/{id}", (string id, HttpRequest request) =>
        {
            if (Authenticate(request, []) is not { } token)
            {
                return Unauthorized();
            }

            if (!_chats.TryGetValue(Canonical(id, SenderOf(token)), out var conversation))
            {
                return Problem(404, "Not Found Error", "Could not find the conversation.");
            }

            return Results.Json(new
            {
                data = new
                {
                    id = conversation.Id,
                    type = conversation.Id.StartsWith('g') ? "Group" : "OneToOne",
                    participant_ids = conversation.Participants,
                },
            });
        });

        // Messages newest first, paged by pagination_token / meta.next_token; every key change of the conversation in meta.
        app.MapGet("/2/chat/conversations/{id}/events", (string id, HttpRequest request) =>
        {
            if (Authenticate(request, []) is not { } token)
            {
                return Unauthorized();
            }

            if (!_chats.TryGetValue(Canonical(id, SenderOf(token)), out var conversation))
            {
                return Problem(404, "Not Found Error", "Could not find the conversation.");
            }

            var events = conversation.Snapshot();
            var messages = events.Where(e => !e.IsKeyChange).Reverse().ToList();
            var size = int.TryParse(request.Query["max_results"], out var asked) && asked is >= 1 and <= 100 ? asked : 10;
            var offset = request.Query["pagination_token"].ToString() is { Length: > 1 } cursor && int.TryParse(cursor[1..], out var from) ? from : 0;
            var page = messages.Skip(offset).Take(size).ToList();
            var hasMore = offset + size < messages.Count;
            return Results.Json(new
            {
                data = page.Select(e => new
                {
                    id = e.Id,
                    conversation_id = conversation.Id,
                    sender_id = e.SenderId,
                    encoded_event = e.EncodedEvent,
                    created_at = e.At.UtcDateTime.ToString("yyyy-MM-ddTHH:mm:ss.fffZ", CultureInfo.InvariantCulture),
                }),
                meta = new
                {
                    result_count = page.Count,
                    has_more = hasMore,
                    next_token = hasMore ? $"p{offset + size}" : null,
                    conversation_key_events = events.Where(e => e.IsKeyChange).Select(e => e.EncodedEvent),
                },
            });
        });

        app.MapPost("/2/chat/conversations/{id}/messages", async (string id, HttpContext context) =>
        {
            if (Authenticate(context.Request, []) is not { } token)
            {
                return Unauthorized();
            }

            var body = (await JsonNode.ParseAsync(context.Request.Body))!;
            if (body["message_id"]?.GetValue<string>() is not { Length: > 0 } messageId
                || body["encoded_message_create_event"]?.GetValue<string>() is not { } encoded)
            {
                return Problem(400, "Invalid Request", "message_id and encoded_message_create_event are required.");
            }

            var sender = SenderOf(token);
            var conversation = Conversation(Canonical(id, sender));
            var submission = new FakeChatSubmission(
                conversation.Id, sender, messageId, encoded, body["encoded_message_event_signature"]?.GetValue<string>(), body["conversation_token"]?.GetValue<string>());
            var eventId = NextChatId();
            var at = Now;
            if (AcceptBotMessage(submission, eventId, at) is not var (assembled, opened))
            {
                RefusedChatSubmissions.Enqueue(submission);
                return Problem(400, "Invalid Request", "The message event does not verify.");
            }

            // X dedupes on the client's message id: a retry is answered like the first send, never stored twice.
            var (added, stored) = conversation.TrySubmit(messageId, assembled, eventId, sender, at);
            if (added)
            {
                ChatSubmissions.Enqueue(submission);
                var reply = new FakeChatReply(conversation.Id, sender, messageId, opened.ConversationKeyVersion, opened.Text ?? string.Empty);
                ChatReplies.Enqueue(reply);
                _chatReplies.Writer.TryWrite(reply);
            }

            // X answers its own event for the message, as its recipients get it (a deduped retry: the one stored).
            return Results.Json(new { data = new { encoded_message_event = stored.EncodedEvent } }, statusCode: 201);
        });

        app.MapPost("/2/chat/conversations/{id}/typing", (string id, HttpRequest request) =>
        {
            if (Authenticate(request, []) is null)
            {
                return Unauthorized();
            }

            ChatTyping.Enqueue(id);
            return Results.Json(new { data = new { success = true } });
        });
    }

    private static IResult Unauthorized() => Results.Json(new { title = "Unauthorized", status = 401 }, statusCode: 401);

    private static TResult Locked<TResult>(List<FakePublicKey> keys, Func<List<FakePublicKey>, TResult> read)
    {
        lock (keys)
        {
            return read(keys);
        }
    }

    private FakeChatConversation Conversation(string conversationId) =>
        _chats.GetOrAdd(Canonical(conversationId, null), id => new FakeChatConversation(id));

    /// <summary>As X does for one-to-one conversations: a bare user id is the conversation of the caller with that user; <c>a:b</c> is <c>a-b</c>.</summary>
    private static string Canonical(string id, string? caller)
    {
        if (id.StartsWith('g'))
        {
            return id;
        }

        var parts = id.Split('-', ':');
        return parts.Length == 2 ? OneToOneConversationId(parts[0], parts[1])
            : caller is not null && parts.Length == 1 ? OneToOneConversationId(caller, id)
            : id;
    }

    private string NextChatId() => (1_990_000_000_000_000_000 + Interlocked.Increment(ref _nextChatSequence)).ToString(CultureInfo.InvariantCulture);
}

/// <summary>One user's XChat public key as X serves it (base64 strings).</summary>
public sealed record FakePublicKey(string Version, string PublicKey, string SigningPublicKey, string? IdentityPublicKeySignature)
{
    /// <summary>What X serves for <paramref name="userId"/> once it registered <paramref name="keys"/>.</summary>
    public static FakePublicKey Of(XChatKeyPair keys, string userId)
    {
        var served = keys.ToServedKeys(userId);
        return new FakePublicKey(served.KeyVersion, served.IdentityPublicKey.ServedBase64, served.SigningPublicKey.ServedBase64, served.IdentityPublicKeySignatureBase64);
    }
}

/// <summary>A message the bot sent that verified and decrypted: the text as its recipient reads it.</summary>
public sealed record FakeChatReply(string ConversationId, string SenderId, string MessageId, string ConversationKeyVersion, string Text);

/// <summary>An event of a conversation: a message or a key change, as base64.</summary>
public sealed record FakeChatEvent(string Id, string SenderId, string EncodedEvent, DateTimeOffset At, bool IsKeyChange, string? MessageId = null);

/// <summary>A message the bot submitted to <c>POST /2/chat/conversations/{id}/messages</c>.</summary>
public sealed record FakeChatSubmission(
    string ConversationId, string SenderId, string MessageId, string EncodedMessageCreateEvent, string? EncodedMessageEventSignature, string? ConversationToken);

internal sealed class FakeChatConversation(string id)
{
    private readonly List<FakeChatEvent> _events = [];

    public string Id { get; } = id;

    public IReadOnlyList<string> Participants => Id.StartsWith('g') ? [] : Id.Split('-');

    public FakeChatEvent Add(string eventId, string senderId, string encoded, DateTimeOffset at, bool keyChange)
    {
        var added = new FakeChatEvent(eventId, senderId, encoded, at, keyChange);
        lock (_events)
        {
            _events.Add(added);
        }

        return added;
    }

    /// <summary>Stores the bot's message unless one with <paramref name="messageId"/> is there already; returns the one stored.</summary>
    public (bool Added, FakeChatEvent Event) TrySubmit(string messageId, string encoded, string eventId, string senderId, DateTimeOffset at)
    {
        lock (_events)
        {
            if (_events.FirstOrDefault(e => e.MessageId == messageId) is { } known)
            {
                return (false, known);
            }

            var added = new FakeChatEvent(eventId, senderId, encoded, at, IsKeyChange: false, messageId);
            _events.Add(added);
            return (true, added);
        }
    }

    public IReadOnlyList<FakeChatEvent> Snapshot()
    {
        lock (_events)
        {
            return _events.ToList();
        }
    }
}

/// <summary>
/// X Activity API deliveries of XChat events, shaped like docs.x.com xchat/real-time-events ("Payload shape (live)"):
/// <c>data.event_type</c> <c>chat.received</c>/<c>chat.sent</c>, a UUID <c>event_uuid</c>, the matched <c>filter</c>,
/// and a payload of <c>conversation_id</c>, <c>sender_id</c>, <c>encoded_event</c> and the optional
/// <c>conversation_key_version</c> and <c>conversation_key_change_event</c>.
/// </summary>
public static class XChatDeliveries
{
    public static byte[] ChatReceived(
        string botUserId, string eventUuid, string conversationId, string senderId, string encodedEvent,
        string? conversationKeyVersion = null, string? conversationKeyChangeEvent = null, string eventType = "chat.received") =>
        Encoding.UTF8.GetBytes(Delivery(botUserId, eventUuid, conversationId, senderId, encodedEvent, conversationKeyVersion, conversationKeyChangeEvent, eventType).ToJsonString());

    /// <summary>The delivery as a JSON tree, for a spec that breaks one part of it.</summary>
    public static JsonObject Delivery(
        string botUserId, string eventUuid, string conversationId, string senderId, string encodedEvent,
        string? conversationKeyVersion = null, string? conversationKeyChangeEvent = null, string eventType = "chat.received")
    {
        var payload = new JsonObject
        {
            ["conversation_id"] = conversationId,
            ["sender_id"] = senderId,
            ["encoded_event"] = encodedEvent,
        };
        if (conversationKeyVersion is not null)
        {
            payload["conversation_key_version"] = conversationKeyVersion;
        }

        if (conversationKeyChangeEvent is not null)
        {
            payload["conversation_key_change_event"] = conversationKeyChangeEvent;
        }

        return new JsonObject
        {
            ["data"] = new JsonObject
            {
                ["event_type"] = eventType,
                ["event_uuid"] = eventUuid,
                ["filter"] = new JsonObject { ["user_id"] = botUserId },
                ["tag"] = $"twitterbot:{botUserId}",
                ["payload"] = payload,
            },
        };
    }
}
