using System.Text.Json;
using TwitterBot.Processor.XChat.Protocol;

namespace TwitterBot.Tests.XChat;

/// <summary>
/// X's cross-binding test vectors (Fixtures/xchat/sdk_vectors.json, copied from ../shared/xchat, published with
/// xdevplatform/chat-xdk). In them user 1111 both sends and receives (conversation 1111:2222), its keys are the
/// scalars 1 (identity) and 2 (signing), and the served keys are raw 65-byte points.
/// </summary>
internal static class XChatVectors
{
    private static readonly Lazy<Dictionary<string, string>> Values = new(() =>
        JsonSerializer.Deserialize<Dictionary<string, string>>(
            File.ReadAllText(Path.Combine(TestContext.CurrentContext.TestDirectory, "Fixtures", "xchat", "sdk_vectors.json")))!);

    public static string Get(string name) => Values.Value[name];

    public static string SenderId => Get("event_sender_id");

    public static string ConversationId => Get("event_conversation_id");

    /// <summary>The events of the file, by name, for the truncation and mutation specs.</summary>
    public static readonly string[] EventNames =
        ["event_key_change_b64", "event_message_b64", "event_reply_valid_b64", "event_reply_forged_b64", "event_failure_b64"];

    /// <summary>The recipient's (the bot's) keys: the 64-byte blob at the recipient key version.</summary>
    public static XChatKeyPair Recipient() =>
        XChatKeyPair.Import(Get("private_keys_concat_b64"), Get("event_recipient_key_version"));

    /// <summary>The sender's keys as X would serve them (as the vectors give them: raw points).</summary>
    public static XChatUserPublicKeys SenderServedKeys() => XChatUserPublicKeys.FromServed(
        SenderId, Get("event_signing_key_version"), Get("identity_public_b64"), Get("signing_public_b64"),
        Get("identity_public_key_signature_b64"));

    public static XChatKeyChangeEvent KeyChange() => (XChatKeyChangeEvent)XChatEvents.Decode(Get("event_key_change_b64"));

    /// <summary>The conversation key, opened from the key-change vector.</summary>
    public static XChatConversationKey ConversationKey()
    {
        using var recipient = Recipient();
        return XChatProtocol.OpenKeyChange(KeyChange(), recipient, SenderId, [SenderServedKeys()]);
    }

    public static XChatConversationKeyLookup Lookup(params XChatConversationKey[] keys) =>
        (conversationId, version) => keys.FirstOrDefault(k => k.ConversationId == conversationId && k.KeyVersion == version);
}
