using System.Diagnostics;
using System.Diagnostics.Metrics;
using System.Globalization;
using System.Security.Cryptography;
using Microsoft.Extensions.Options;
using TwitterBot.Contracts;
using TwitterBot.Conventions.Accounts;
using TwitterBot.Processor.Clients.X;
using TwitterBot.Processor.Conversations;
using TwitterBot.Processor.Options;
using TwitterBot.Processor.XChat.Protocol;
using ProtocolKey = TwitterBot.Processor.XChat.Protocol.XChatConversationKey;
using ProtocolMessageEvent = TwitterBot.Processor.XChat.Protocol.XChatMessageEvent;

namespace TwitterBot.Processor.XChat;

/// <summary>
/// Opens what X delivered as <c>chat.received</c>: learns the key changes addressed to the bot (stored encrypted at
/// rest), verifies a message with its sender's served keys (cached for <see cref="ServedKeysFreshness"/>, read again
/// once when a signature does not verify with the cached ones: the sender may have rotated them), fetches the
/// conversation's key changes when the message's key version is unknown, and only then decrypts. The outcome says
/// what the conversation does next; what fails verification is refused for good (never retried, never answered).
/// Transport failures talking to X are thrown, so the conversation's retry policy asks again.
/// </summary>
public sealed partial class XChatInbox(
    XChatClient client,
    IXChatConversationKeys keys,
    XChatServedKeys servedKeys,
    IOptions<XChatOptions> options,
    BotAccounts bots,
    XChatTelemetry telemetry,
    ILogger<XChatInbox> logger)
{
    public static readonly TimeSpan ServedKeysFreshness = TimeSpan.FromMinutes(5);

    /// <summary>Pages of the conversation's events read for a key version not known yet.</summary>
    public const int KeyHistoryPages = 3;

    /// <summary>
    /// Opens the delivery. A <c>chat.sent</c> (the account's own message, by the bot or by a person in the X app) is
    /// verified and decrypted like any other and comes back as <see cref="ChatOutcome.SentByAccount"/>, never as a turn.
    /// The key versions of the conversation learnt on the way are in <see cref="ChatOpened.LearntKeyVersions"/>.
    /// </summary>
    public async Task<ChatOpened> OpenAsync(EncryptedChatEventReceived delivered, CancellationToken cancellationToken)
    {
        var learnt = new List<long>();
        var opened = await OpenCoreAsync(delivered, learnt, cancellationToken);
        return learnt.Count == 0 ? opened : opened with { LearntKeyVersions = learnt };
    }

    private async Task<ChatOpened> OpenCoreAsync(EncryptedChatEventReceived delivered, List<long> learnt, CancellationToken cancellationToken)
    {
        var sent = delivered.Direction == ChatEventDirection.Sent;
        if (!options.Value.IsEnabledFor(delivered.BotUserId) || options.Value.For(delivered.BotUserId) is not { } botKeys)
        {
            return Ignore(delivered, "disabled");
        }

        if (XChatConversationId.IsGroup(delivered.ConversationId) && options.Value.Groups == XChatGroups.Ignore)
        {
            return Ignore(delivered, "group");
        }

        if (sent ? delivered.SenderId != delivered.BotUserId : delivered.SenderId == delivered.BotUserId)
        {
            // chat.received of the bot's own message, or chat.sent of someone else's: not the account's to answer or hand over.
            return Ignore(delivered, "echo");
        }

        var bot = bots.Find(delivered.BotUserId)
            ?? throw new InvalidOperationException($"No bot account with UserId {delivered.BotUserId} is configured (TwitterBot:Bots).");
        var token = new XUserToken(bot.AccessToken!, bot.AccessSecret!);
        using var pair = ImportKeys(botKeys);
        var conversationId = XChatClient.SignedId(delivered.ConversationId);

        if (delivered.ConversationKeyChangeEvent is { Length: > 0 } attached && XChatEvents.TryDecode(attached, out var attachedEvent, out _)
            && attachedEvent is XChatKeyChangeEvent attachedChange)
        {
            // The key the event depends on, attached by X: a bad one is only logged, the event itself decides.
            await TryLearnAsync(delivered.BotUserId, pair, attachedChange, token, Learnt(learnt, conversationId), cancellationToken);
        }

        if (!XChatEvents.TryDecode(delivered.EncodedEvent, out var decoded, out var malformed))
        {
            return Reject(delivered, malformed);
        }

        switch (decoded)
        {
            case XChatKeyChangeEvent change:
                try
                {
                    await LearnAsync(delivered.BotUserId, pair, change, token, Learnt(learnt, conversationId), cancellationToken);
                    telemetry.Event("key_change", "stored");
                    return new ChatOpened(ChatOutcome.KeyLearnt, null);
                }
                catch (XChatProtocolException refused)
                {
                    return Reject(delivered, refused.Reason);
                }

            case ProtocolMessageEvent message:
                return await OpenMessageAsync(delivered, botKeys, pair, message, conversationId, token, learnt, cancellationToken);

            default:
                return Ignore(delivered, "other_event");
        }
    }

    /// <summary>Collects the versions learnt for <paramref name="conversationId"/> (a key change may name another conversation).</summary>
    private static Action<string, long> Learnt(List<long> learnt, string conversationId) => (conversation, version) =>
    {
        if (conversation == conversationId && !learnt.Contains(version))
        {
            learnt.Add(version);
        }
    };

    private async Task<ChatOpened> OpenMessageAsync(
        EncryptedChatEventReceived delivered, XChatBotOptions botKeys, XChatKeyPair pair, ProtocolMessageEvent message, string conversationId,
        XUserToken token, List<long> learnt, CancellationToken cancellationToken)
    {
        if (message.Envelope.SenderId is { } signedSender && signedSender != delivered.SenderId)
        {
            return Reject(delivered, XChatRejection.UnknownSigningKey, "the signed sender is not the sender X named");
        }

        if (message.ConversationKeyVersion is not { Length: > 0 } version || !long.TryParse(version, NumberStyles.None, CultureInfo.InvariantCulture, out var keyVersion))
        {
            return Reject(delivered, XChatRejection.MissingKeyVersion);
        }

        var key = await keys.FindAsync(delivered.BotUserId, conversationId, keyVersion, cancellationToken);
        if (key is null)
        {
            LogFetchingKeys(delivered.EventId, delivered.BotUserId, version);
            var history = await client.GetConversationEventsAsync(delivered.ConversationId, KeyHistoryPages, token, cancellationToken);
            foreach (var encoded in history.KeyChangeEvents)
            {
                if (XChatEvents.TryDecode(encoded, out var listed, out _) && listed is XChatKeyChangeEvent change)
                {
                    await TryLearnAsync(delivered.BotUserId, pair, change, token, Learnt(learnt, conversationId), cancellationToken);
                }
            }

            key = await keys.FindAsync(delivered.BotUserId, conversationId, keyVersion, cancellationToken);
        }

        if (key is null)
        {
            return Reject(delivered, XChatRejection.UnknownConversationKey);
        }

        try
        {
            var known = new ProtocolKey(conversationId, version, key);
            ProtocolKey? Lookup(string conversation, string asked) =>
                asked == version && XChatConversationId.Canonical(conversation) == known.ConversationId ? known : null;

            XChatOpenedMessage opened;
            var served = await servedKeys.OfAsync(delivered.SenderId, token, fresh: false, cancellationToken);
            try
            {
                opened = XChatProtocol.OpenMessage(message, Lookup, served);
            }
            catch (XChatProtocolException refused) when (refused.Reason is XChatRejection.UnknownSigningKey or XChatRejection.InvalidSignature)
            {
                served = await servedKeys.OfAsync(delivered.SenderId, token, fresh: true, cancellationToken);
                opened = XChatProtocol.OpenMessage(message, Lookup, served);
            }

            if (opened.Kind != XChatContentKind.Message)
            {
                return Ignore(delivered, opened.Kind.ToString().ToLowerInvariant());
            }

            var createdAt = long.TryParse(opened.CreatedAtMsec, NumberStyles.None, CultureInfo.InvariantCulture, out var msec)
                ? DateTimeOffset.FromUnixTimeMilliseconds(msec)
                : delivered.ReceivedAt;
            // X's time, never later than when the Ingress had it (a sender's clock is the sender's).
            createdAt = createdAt > delivered.ReceivedAt ? delivered.ReceivedAt : createdAt;
            if (delivered.Direction == ChatEventDirection.Sent)
            {
                telemetry.Event("sent", "opened");
                return new ChatOpened(ChatOutcome.SentByAccount, null) { Sent = new ChatSent(opened.MessageId, createdAt) };
            }

            var text = opened.Text ?? string.Empty;
            if (XChatConversationId.IsGroup(delivered.ConversationId) && options.Value.Groups == XChatGroups.WhenMentioned)
            {
                var mentions = botKeys.ScreenName is { Length: > 0 } handle ? opened.Mentions.Where(m => m.Names(handle)).ToList() : [];
                if (mentions.Count == 0)
                {
                    return Ignore(delivered, "not_mentioned");
                }

                // The gateway hears what was said to the bot, not the bot's handle ("@acme START" is START).
                var addressed = XChatMentions.Without(text, mentions);
                text = addressed.Length > 0 ? addressed : text;
            }

            telemetry.Event("message", "opened");
            if (opened.HasAttachments)
            {
                // XChat media is not fetched yet: the gateway hears that something it cannot see was attached.
                text = text.Length == 0 ? UnsupportedAttachment : $"{text}\n{UnsupportedAttachment}";
            }

            return new ChatOpened(ChatOutcome.Message, new DirectMessageReceived
            {
                EventId = delivered.EventId,
                BotUserId = delivered.BotUserId,
                BotId = delivered.BotId,
                SenderId = opened.SenderId,
                Text = text,
                CreatedAt = createdAt,
            });
        }
        catch (XChatProtocolException refused)
        {
            return Reject(delivered, refused.Reason);
        }
        finally
        {
            CryptographicOperations.ZeroMemory(key);
        }
    }

    /// <summary>What the gateway is told when a message carries an attachment the bridge cannot pass on.</summary>
    public const string UnsupportedAttachment = "[unsupported attachment]";

    private async Task TryLearnAsync(
        string botUserId, XChatKeyPair pair, XChatKeyChangeEvent change, XUserToken token, Action<string, long> learnt, CancellationToken cancellationToken)
    {
        try
        {
            await LearnAsync(botUserId, pair, change, token, learnt, cancellationToken);
        }
        catch (XChatProtocolException refused)
        {
            telemetry.Event("key_change", Reason(refused.Reason));
            LogKeyChangeRefused(botUserId, change.Envelope.MessageId, refused.Reason);
        }
    }

    /// <exception cref="XChatProtocolException">The key change does not open for the bot, or does not verify.</exception>
    private async Task LearnAsync(
        string botUserId, XChatKeyPair pair, XChatKeyChangeEvent change, XUserToken token, Action<string, long> learnt, CancellationToken cancellationToken)
    {
        if (change.Envelope.SenderId is not { Length: > 0 } sender)
        {
            throw new XChatProtocolException(XChatRejection.Malformed, "The key change names no sender.");
        }

        ProtocolKey opened;
        try
        {
            opened = XChatProtocol.OpenKeyChange(change, pair, botUserId, await servedKeys.OfAsync(sender, token, fresh: false, cancellationToken));
        }
        catch (XChatProtocolException refused) when (refused.Reason is XChatRejection.UnknownSigningKey or XChatRejection.InvalidSignature)
        {
            opened = XChatProtocol.OpenKeyChange(change, pair, botUserId, await servedKeys.OfAsync(sender, token, fresh: true, cancellationToken));
        }

        if (!long.TryParse(opened.KeyVersion, NumberStyles.None, CultureInfo.InvariantCulture, out var version))
        {
            throw new XChatProtocolException(XChatRejection.MissingKeyVersion, "The key change's version is not a number.");
        }

        var added = await keys.AddAsync(botUserId, opened.ConversationId, version, opened.Key.ToArray(), cancellationToken);
        if (added == ConversationKeyAdded.Conflicting)
        {
            LogConflictingKey(botUserId, opened.ConversationId, version);
            return;
        }

        learnt(opened.ConversationId, version);
    }

    internal static XChatKeyPair ImportKeys(XChatBotOptions botKeys)
    {
        var blob = botKeys.PrivateKeys();
        try
        {
            return XChatKeyPair.Import(blob, botKeys.KeyVersion!);
        }
        finally
        {
            CryptographicOperations.ZeroMemory(blob);
        }
    }

    private ChatOpened Ignore(EncryptedChatEventReceived delivered, string reason)
    {
        telemetry.Event("ignored", reason);
        LogIgnored(delivered.EventId, delivered.BotUserId, reason);
        return new ChatOpened(ChatOutcome.Ignored, null);
    }

    private ChatOpened Reject(EncryptedChatEventReceived delivered, XChatRejection reason, string? detail = null)
    {
        telemetry.Event("rejected", Reason(reason));
        LogRejected(delivered.EventId, delivered.BotUserId, delivered.SenderId, reason, detail ?? "");
        Activity.Current?.SetTag("twitterbot.xchat.rejected", Reason(reason));
        return new ChatOpened(ChatOutcome.Rejected, null);
    }

    private static string Reason(XChatRejection reason) => reason switch
    {
        XChatRejection.Malformed => "malformed",
        XChatRejection.UnsupportedSignatureVersion => "unsupported_signature_version",
        XChatRejection.UnknownSigningKey => "unknown_signing_key",
        XChatRejection.InvalidSignature => "invalid_signature",
        XChatRejection.MissingKeyVersion => "missing_key_version",
        XChatRejection.UnknownConversationKey => "unknown_conversation_key",
        XChatRejection.DecryptionFailed => "decryption_failed",
        XChatRejection.NotAddressedToRecipient => "not_addressed_to_bot",
        XChatRejection.WrongEventKind => "wrong_event_kind",
        _ => "invalid_key",
    };

    [LoggerMessage(LogLevel.Information, "XChat event {EventId} for bot {BotUserId}: its conversation key version {KeyVersion} is not known; the conversation's key changes are fetched from X.")]
    private partial void LogFetchingKeys(string eventId, string botUserId, string keyVersion);

    [LoggerMessage(LogLevel.Warning, "XChat event {EventId} for bot {BotUserId} from user {SenderId} is refused for good ({Reason}{Detail}): not sent to the gateway, not answered, not retried.")]
    private partial void LogRejected(string eventId, string botUserId, string senderId, XChatRejection reason, string detail);

    [LoggerMessage(LogLevel.Debug, "XChat event {EventId} for bot {BotUserId} is not answered: {Reason}.")]
    private partial void LogIgnored(string eventId, string botUserId, string reason);

    [LoggerMessage(LogLevel.Warning, "Bot {BotUserId}: the XChat key change {MessageId} was refused ({Reason}); the bot does not learn its key.")]
    private partial void LogKeyChangeRefused(string botUserId, string? messageId, XChatRejection reason);

    [LoggerMessage(LogLevel.Error, "Bot {BotUserId}, XChat conversation {ConversationId}: a different key is already stored for version {KeyVersion}; the stored one is kept.")]
    private partial void LogConflictingKey(string botUserId, string conversationId, long keyVersion);
}

/// <summary>What an XChat delivery turned out to be; <see cref="Message"/> (plaintext) only for a message to answer, never published.</summary>
public sealed record ChatOpened(ChatOutcome Outcome, DirectMessageReceived? Message)
{
    /// <summary>For <see cref="ChatOutcome.SentByAccount"/>: which message the account sent, and when.</summary>
    public ChatSent? Sent { get; init; }

    /// <summary>The conversation's key versions stored (or found stored already) while opening it, in the order learnt.</summary>
    public IReadOnlyList<long> LearntKeyVersions { get; init; } = [];

    public override string ToString() => $"ChatOpened({Outcome})";
}

/// <summary>A message the bot's account sent (<c>chat.sent</c>), verified: its signed message id and X's time for it.</summary>
public sealed record ChatSent(string MessageId, DateTimeOffset SentAt);

public enum ChatOutcome
{
    /// <summary>A verified, decrypted message from a user: taken as a turn.</summary>
    Message,

    /// <summary>A key change the bot learnt its key from.</summary>
    KeyLearnt,

    /// <summary>
    /// A message the bot's account sent (<c>chat.sent</c>), verified: the bot's own reply, or a person at the brand
    /// writing from the X app (told apart by its message id).
    /// </summary>
    SentByAccount,

    /// <summary>Nothing to answer (an echo, a group the bot is not asked in, a reaction, XChat off for the bot).</summary>
    Ignored,

    /// <summary>Failed verification or decryption: refused for good.</summary>
    Rejected,
}

/// <summary>Users' served XChat public keys (only the sets whose binding verifies), cached briefly per replica.</summary>
public sealed class XChatServedKeys(XChatClient client, TimeProvider time)
{
    private readonly ReadThroughCache<string, IReadOnlyList<XChatUserPublicKeys>> _cache = new(XChatInbox.ServedKeysFreshness, time);

    public async ValueTask<IReadOnlyList<XChatUserPublicKeys>> OfAsync(string userId, XUserToken token, bool fresh, CancellationToken cancellationToken)
    {
        if (fresh)
        {
            var read = await ReadAsync(userId, token, cancellationToken);
            _cache.Set(userId, read);
            return read;
        }

        return await _cache.GetAsync(userId, (id, ct) => ReadAsync(id, token, ct), cancellationToken);
    }

    private async Task<IReadOnlyList<XChatUserPublicKeys>> ReadAsync(string userId, XUserToken token, CancellationToken cancellationToken)
    {
        var served = await client.GetPublicKeysAsync(userId, token, cancellationToken);
        var usable = new List<XChatUserPublicKeys>();
        foreach (var key in served)
        {
            if (key is not { PublicKeyVersion: { Length: > 0 } version, PublicKey: { Length: > 0 } identity, SigningPublicKey: { Length: > 0 } signing, IdentityPublicKeySignature: { Length: > 0 } binding })
            {
                continue;
            }

            try
            {
                var parsed = XChatUserPublicKeys.FromServed(userId, version, identity, signing, binding);
                if (parsed.BindingVerifies)
                {
                    usable.Add(parsed);
                }
            }
            catch (XChatProtocolException)
            {
                // A served key that does not parse is not one anything can be verified with.
            }
        }

        return usable;
    }
}

/// <summary>XChat's instrument on the Processor's meter: events by kind and outcome (with the rejection's reason).</summary>
public sealed class XChatTelemetry
{
    private readonly Counter<long> _events;

    public XChatTelemetry(IMeterFactory meters)
    {
        var meter = meters.Create(ProcessorTelemetry.Name);
        _events = meter.CreateCounter<long>("twitterbot.processor.xchat.events", "{event}",
            "XChat deliveries by kind (message, sent, key_change, ignored, rejected) and outcome (opened, stored, or the reason: group, not_mentioned, echo, invalid_signature, unknown_conversation_key…).");
    }

    public void Event(string kind, string outcome) => _events.Add(1, new TagList { { "kind", kind }, { "outcome", outcome } });
}
