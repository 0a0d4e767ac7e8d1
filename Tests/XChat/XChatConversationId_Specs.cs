using TwitterBot.Processor.XChat.Protocol;

namespace TwitterBot.Tests.XChat;

/// <summary>Conversation ids: signed canonical <c>min:max</c> (numeric order), <c>min-max</c> in URLs, groups untouched.</summary>
public static class XChatConversationId_Specs
{
    public class When_a_one_to_one_id_is_normalised
    {
        [TestCase("2222:1111", "1111:2222")]
        [TestCase("2222-1111", "1111:2222")]
        [TestCase("1111-2222", "1111:2222")]
        [TestCase("99:1000", "99:1000")]
        [TestCase("1000-99", "99:1000")]
        [TestCase("1603419180975409153-1215441834412953600", "1215441834412953600:1603419180975409153")]
        public void Should_order_the_user_ids_numerically_and_join_them_with_a_colon(string id, string canonical)
        {
            Assert.That(XChatConversationId.Canonical(id), Is.EqualTo(canonical));
        }

        [Test]
        public void Should_pair_a_bare_recipient_id_with_the_sender()
        {
            Assert.That(XChatConversationId.Canonical("2222", selfUserId: "1111"), Is.EqualTo("1111:2222"));
        }

        [TestCase("1111:2222", "1111-2222")]
        [TestCase("2222:1111", "1111-2222")]
        [TestCase("g1234567890", "g1234567890")]
        public void Should_put_the_hyphenated_form_in_urls(string id, string url)
        {
            Assert.That(XChatConversationId.ToUrl(id), Is.EqualTo(url));
        }

        [Test]
        public void Should_name_the_other_participant()
        {
            Assert.That(XChatConversationId.OtherParticipant("1111:2222", "2222"), Is.EqualTo("1111"));
            Assert.That(XChatConversationId.OtherParticipant("1111:2222", "3333"), Is.Null);
            Assert.That(XChatConversationId.OtherParticipant("g1", "3333"), Is.Null);
        }
    }

    public class When_the_id_is_a_group
    {
        [Test]
        public void Should_be_recognised_and_left_as_it_is()
        {
            Assert.That(XChatConversationId.IsGroup("g1234567890"), Is.True);
            Assert.That(XChatConversationId.IsGroup("1111:2222"), Is.False);
            Assert.That(XChatConversationId.Canonical("g1234567890", "1111"), Is.EqualTo("g1234567890"));
            Assert.That(XChatConversationId.TryGetParticipants("g1234567890", out _, out _), Is.False);
        }
    }
}
