using TwitterBot.Processor.XChat.Protocol;

namespace TwitterBot.Tests.XChat;

/// <summary>
/// Mentions in XChat messages (xdevplatform/chat-xdk thrift/product.thrift): <c>MessageContents.entities</c> (field 2) is
/// a list of <c>RichTextEntity { 1 start_index, 2 end_index, 3 content }</c> whose content union's field 3 is a mention.
/// The mention carries no user id: what it names is the text of its span, counted in code points, end exclusive.
/// Sealed by our own code and opened by it, so these pin the reading of the entity, not X's bytes.
/// </summary>
public static class XChatMentions_Specs
{
    private const string UserId = "1001";
    private const string BotId = "20020";

    private static XChatOpenedMessage SealAndOpen(string text, IReadOnlyList<XChatTextSpan> mentions)
    {
        using var user = XChatKeyPair.Generate("11");
        var key = XChatConversationKey.Generate("g1900000000000000001", "1700000000001");
        var encoded = XChatProtocol.SealMessage(user, UserId, key, text, "m-1", mentions: mentions).ToEvent("100", "1700000000500");
        return XChatProtocol.OpenMessage((XChatMessageEvent)XChatEvents.Decode(encoded), XChatVectors.Lookup(key), [user.ToServedKeys(UserId)]);
    }

    public class When_a_client_marks_mentions
    {
        [TestCase("@acme_support hi", 0, 13)]
        [TestCase("hi @acme_support!", 3, 16)]
        [TestCase("👋🏽 @acme_support", 3, 16)]
        public void Should_mark_the_handle_in_code_points(string text, int start, int end) =>
            Assert.That(XChatMentions.Find(text), Is.EqualTo(new[] { new XChatTextSpan(start, end) }));

        [TestCase("mail a@acme_support.com")]
        [TestCase("@ alone")]
        [TestCase("@this_handle_is_far_too_long")]
        [TestCase("no handle")]
        public void Should_mark_nothing_that_is_not_a_handle(string text) =>
            Assert.That(XChatMentions.Find(text), Is.Empty);
    }

    public class When_the_bot_opens_a_message_with_mentions
    {
        [Test]
        public void Should_read_each_mention_as_the_text_of_its_span()
        {
            const string text = "👋 @Acme_Support and @someone_else, hours?";

            var opened = SealAndOpen(text, XChatMentions.Find(text));

            Assert.That(opened.Mentions.Select(m => m.Text), Is.EqualTo(new[] { "@Acme_Support", "@someone_else" }));
            Assert.That(opened.MentionsHandle("acme_support"), Is.True, "X handles ignore case");
            Assert.That(opened.MentionsHandle("@ACME_SUPPORT"), Is.True);
            Assert.That(opened.MentionsHandle("acme"), Is.False, "a prefix is another handle");
            Assert.That(XChatMentions.Without(text, opened.Mentions.Where(m => m.Names("acme_support"))), Is.EqualTo("👋 and @someone_else, hours?"));
        }

        [Test]
        public void Should_not_take_the_handle_written_without_a_mention_for_one()
        {
            var opened = SealAndOpen("@acme_support are you there?", []);

            Assert.That(opened.Mentions, Is.Empty);
            Assert.That(opened.MentionsHandle("acme_support"), Is.False, "only what the sender's client marked is a mention");
        }

        [TestCase(40, 52)]
        [TestCase(5, 3)]
        [TestCase(-1, 4)]
        public void Should_ignore_a_mention_whose_span_is_not_inside_the_text(int start, int end)
        {
            var opened = SealAndOpen("@acme_support hi", [new XChatTextSpan(start, end)]);

            Assert.That(opened.Text, Is.EqualTo("@acme_support hi"));
            Assert.That(opened.Mentions, Is.Empty);
        }

        [Test]
        public void Should_not_name_the_bot_by_a_span_that_covers_other_text()
        {
            var opened = SealAndOpen("hello @acme_support", [new XChatTextSpan(0, 5)]);

            Assert.That(opened.Mentions.Single().Text, Is.EqualTo("hello"));
            Assert.That(opened.MentionsHandle("acme_support"), Is.False);
        }
    }
}
