namespace TwitterBot.Tests.Support;

/// <summary>Webhook payloads: X's samples (copied from ../shared/x-samples) and our own (Fixtures/README.md).</summary>
public static class XSamples
{
    public const string DirectMessage = "direct_message_events.json";
    public const string QuickReplyResponse = "direct_message_quick_reply_response.json";
    public const string IndicateTyping = "direct_message_indicate_typing_events.json";
    public const string MarkRead = "direct_message_mark_read_events.json";
    public const string OtherEvents = "other_events.json";
    public const string XActivityReceived = "../extra/x_activity_dm_received.json";
    public const string XActivitySent = "../extra/x_activity_dm_sent.json";
    public const string Batch = "../extra/direct_message_batch.json";

    public static byte[] Bytes(string name) =>
        File.ReadAllBytes(Path.Combine(TestContext.CurrentContext.TestDirectory, "Fixtures", "x-samples", name));

    public static string Text(string name) => System.Text.Encoding.UTF8.GetString(Bytes(name));
}
