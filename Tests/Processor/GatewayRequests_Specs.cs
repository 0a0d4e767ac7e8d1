using TwitterBot.Contracts;
using TwitterBot.Processor.Clients.Gateway;

namespace TwitterBot.Tests.Processor;

public static class GatewayRequests_Specs
{
    public class When_a_direct_message_is_put_to_the_gateway
    {
        private static readonly DirectMessageReceived Message = new()
        {
            EventId = "1234858592",
            BotUserId = "4337869213",
            BotId = "project-7",
            SenderId = "3805104374",
            SenderName = null,
            SenderScreenName = "bluebirdfan",
            Text = "Blue Bird",
            CreatedAt = DateTimeOffset.UnixEpoch,
            QuickReplyMetadata = "external_id_2",
            Urls = ["https://example.com/a", "https://example.com/b"],
            Media = new DirectMessageMedia("1000000000000000001", "photo", "https://ton.twitter.com/abc.jpg"),
        };

        private readonly GatewayRequest _request = GatewayRequests.For(Message);

        [Test]
        public void Should_map_the_documented_fields() =>
            Assert.That((_request.Text, _request.Uuid, _request.Suid, _request.SourceType), Is.EqualTo(("Blue Bird", "project-7", "twitter-4337869213-3805104374", "twitter")));

        [Test]
        public void Should_name_the_author_by_screen_name_when_the_name_is_unknown() =>
            Assert.That(_request.Author, Is.EqualTo("@bluebirdfan"));

        [Test]
        public void Should_pass_who_wrote_what_and_with_which_media_in_extra_data() =>
            Assert.That(_request.ExtraData, Is.EquivalentTo(new Dictionary<string, string>
            {
                ["twitter_sender_id"] = "3805104374",
                ["twitter_event_id"] = "1234858592",
                ["twitter_screen_name"] = "bluebirdfan",
                ["twitter_quick_reply_metadata"] = "external_id_2",
                ["twitter_media_url"] = "https://ton.twitter.com/abc.jpg",
                ["twitter_media_type"] = "photo",
                ["twitter_urls"] = "https://example.com/a https://example.com/b",
            }));

        [Test]
        public void Should_cut_a_long_author_name_to_128_characters() =>
            Assert.That(GatewayRequests.For(Message with { SenderName = new string('n', 300) }).Author, Has.Length.EqualTo(128));

        [TestCase("\U0001F1EB\U0001F1F7")] // a flag: two regional indicators, four UTF-16 units
        [TestCase("\U0001F469\u200D\U0001F4BB")] // a ZWJ sequence
        [TestCase("e\u0301")] // a combining mark
        [TestCase("\U0001F600")] // one surrogate pair
        public void Should_cut_the_author_before_a_character_that_would_cross_128(string cluster) =>
            Assert.That(GatewayRequests.For(Message with { SenderName = new string('n', 127) + cluster }).Author, Is.EqualTo(new string('n', 127)));

        [Test]
        public void Should_keep_a_character_that_ends_exactly_at_128() =>
            Assert.That(GatewayRequests.For(Message with { SenderName = new string('n', 124) + "\U0001F1EB\U0001F1F7" }).Author,
                Is.EqualTo(new string('n', 124) + "\U0001F1EB\U0001F1F7"));
    }
}
