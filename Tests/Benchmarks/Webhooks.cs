using System.Globalization;
using System.Security.Cryptography;
using System.Text;

namespace TwitterBot.Benchmarks;

/// <summary>Realistic (~2 KB) Account Activity deliveries of one DM each to the test bot, signed with the test app's secret.</summary>
public static class Webhooks
{
    private static readonly string Padding = new('x', 900);

    public static string UserId(int index) => (3_000_000_000L + index).ToString(CultureInfo.InvariantCulture);

    /// <returns>The body and its <c>x-twitter-webhooks-signature</c>.</returns>
    public static (byte[] Body, string Signature) DirectMessage(long eventId, string senderId)
    {
        var json = """
            {"for_user_id":"BOT_USER_ID","direct_message_events":[{"type":"message_create","id":"EVENT_ID","created_timestamp":"1732186800000",
            "message_create":{"target":{"recipient_id":"BOT_USER_ID"},"sender_id":"SENDER_ID","source_app_id":"13090192",
            "message_data":{"text":"Hello, I have a question about my order &amp; its delivery date","entities":{"hashtags":[],"symbols":[],"user_mentions":[],"urls":[]}}}}],
            "apps":{"13090192":{"id":"13090192","name":"Benchmark","url":"https://example.com"}},
            "users":{"SENDER_ID":{"id":"SENDER_ID","created_timestamp":"1422556069340","name":"Jordan Brinks","screen_name":"furiouscamper","location":"Boulder, CO",
            "description":"PADDING","url":"https://t.co/SnxaA15ZuY","protected":false,"verified":false,"followers_count":22,"friends_count":45,"statuses_count":494,
            "profile_image_url_https":"https://pbs.twimg.com/profile_images/851526626785480705/cW4WTi7C_normal.jpg"},
            "BOT_USER_ID":{"id":"BOT_USER_ID","created_timestamp":"1448312972328","name":"Harrison Test","screen_name":"Harris_0ff","location":"Burlington, MA",
            "protected":false,"verified":false,"followers_count":8,"friends_count":8,"statuses_count":240,
            "profile_image_url_https":"https://abs.twimg.com/sticky/default_profile_images/default_profile_normal.png"}}}
            """
            .Replace("BOT_USER_ID", TestCredentials.BotUserId, StringComparison.Ordinal)
            .Replace("EVENT_ID", eventId.ToString(CultureInfo.InvariantCulture), StringComparison.Ordinal)
            .Replace("SENDER_ID", senderId, StringComparison.Ordinal)
            .Replace("PADDING", Padding, StringComparison.Ordinal);
        var body = Encoding.UTF8.GetBytes(json);
        return (body, "sha256=" + Convert.ToBase64String(HMACSHA256.HashData(Encoding.UTF8.GetBytes(TestCredentials.ConsumerSecret), body)));
    }
}
