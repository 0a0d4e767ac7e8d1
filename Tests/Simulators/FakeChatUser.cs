using System.Globalization;
using TwitterBot.Processor.XChat.Protocol;

namespace TwitterBot.Simulators;

/// <summary>
/// A simulated XChat user talking to one bot: holds its own key pair (registered with <see cref="FakeXApi"/>, which
/// serves it), creates and rotates the conversation key (a signed key change addressed to both participants, stored in
/// the conversation), and seals and signs its messages to the bot. It uses the project's own protocol code, as the
/// simulator does: X's vectors (Tests/XChat) are what keep both honest. Given a group id (<c>g…</c>), the user talks to the
/// bot in that group instead (the key change is addressed to the two of them). Like X's clients, it marks each
/// <c>@handle</c> it writes as a mention.
/// </summary>
public sealed class FakeChatUser : IDisposable
{
    private readonly FakeXApi _x;
    private readonly string? _groupId;
    private long _sequence;

    public FakeChatUser(FakeXApi x, string userId, string botUserId, string keyVersion = "1", string? groupId = null)
    {
        _x = x;
        UserId = userId;
        BotUserId = botUserId;
        _groupId = groupId;
        Keys = XChatKeyPair.Generate(keyVersion);
        x.RegisterPublicKey(userId, FakePublicKey.Of(Keys, userId));
    }

    public string UserId { get; }

    public string BotUserId { get; }

    public XChatKeyPair Keys { get; }

    /// <summary>The conversation as X's URLs and deliveries write it (<c>min-max</c>, or the group's id).</summary>
    public string ConversationId => _groupId ?? FakeXApi.OneToOneConversationId(UserId, BotUserId);

    /// <summary>The key the user encrypts with now (null before <see cref="ChangeKey"/>).</summary>
    public XChatConversationKey? CurrentKey { get; private set; }

    /// <summary>The last key change the user made (base64, as X delivers it).</summary>
    public string? LastKeyChange { get; private set; }

    /// <summary>
    /// Creates (or rotates to) a new conversation key, one version above the last (versions from X's clock, in
    /// milliseconds, as X's clients mint them), seals it to both participants' served keys and stores the key change
    /// in the conversation. The bot learns it from the delivery (attached) or from the conversation's events.
    /// </summary>
    public string ChangeKey()
    {
        var version = Math.Max(_x.Now.ToUnixTimeMilliseconds(), (CurrentKey is null ? 0 : long.Parse(CurrentKey.KeyVersion, CultureInfo.InvariantCulture)) + 1);
        var key = XChatConversationKey.Generate(ConversationId, version.ToString(CultureInfo.InvariantCulture));
        var participants = _x.ServedKeys(UserId).Concat(_x.ServedKeys(BotUserId)).ToList();
        var change = XChatProtocol.SealKeyChange(Keys, UserId, key, participants, Guid.NewGuid().ToString());
        var encoded = change.ToEvent(NextSequence(), Millis());
        _x.ChatKeys[(key.ConversationId, key.KeyVersion)] = key;
        _x.AddChatKeyChange(ConversationId, UserId, encoded);
        CurrentKey = key;
        LastKeyChange = encoded;
        return encoded;
    }

    /// <summary>
    /// A message to the bot, sealed with the current key and signed by the user: the event X delivers (base64). Its
    /// <c>@handles</c> are marked as mentions; <paramref name="mediaHashKeys"/> are attached as media.
    /// </summary>
    public string Seal(string text, IReadOnlyList<string>? mediaHashKeys = null)
    {
        var key = CurrentKey ?? throw new InvalidOperationException("The user has no conversation key yet: call ChangeKey first.");
        return XChatProtocol.SealMessage(Keys, UserId, key, text, Guid.NewGuid().ToString(), mentions: XChatMentions.Find(text), mediaHashKeys: mediaHashKeys)
            .ToEvent(NextSequence(), Millis());
    }

    /// <summary>
    /// What a person at the brand writes from the X app as the bot's account (signed with <paramref name="accountKeys"/>,
    /// the account's keys) under the current key, and its <c>chat.sent</c> delivery to the bot's subscription.
    /// </summary>
    public byte[] SentByAccount(string eventUuid, XChatKeyPair accountKeys, string text)
    {
        var key = CurrentKey ?? throw new InvalidOperationException("The user has no conversation key yet: call ChangeKey first.");
        var encoded = XChatProtocol.SealMessage(accountKeys, BotUserId, key, text, Guid.NewGuid().ToString()).ToEvent(NextSequence(), Millis());
        _x.AddChatMessage(ConversationId, BotUserId, encoded);
        return XChatDeliveries.ChatReceived(BotUserId, eventUuid, ConversationId, BotUserId, encoded, key.KeyVersion, eventType: "chat.sent");
    }

    /// <summary>
    /// The <c>chat.received</c> delivery of <paramref name="encodedEvent"/> (stored in the conversation first, as X does),
    /// with the key change it depends on attached when <paramref name="attachKeyChange"/>.
    /// </summary>
    public byte[] Delivery(string eventUuid, string encodedEvent, bool attachKeyChange = false)
    {
        _x.AddChatMessage(ConversationId, UserId, encodedEvent);
        return XChatDeliveries.ChatReceived(BotUserId, eventUuid, ConversationId, UserId, encodedEvent,
            CurrentKey?.KeyVersion, attachKeyChange ? LastKeyChange : null);
    }

    private string NextSequence() => Interlocked.Increment(ref _sequence).ToString(CultureInfo.InvariantCulture);

    private string Millis() => _x.Now.ToUnixTimeMilliseconds().ToString(CultureInfo.InvariantCulture);

    public void Dispose() => Keys.Dispose();
}
