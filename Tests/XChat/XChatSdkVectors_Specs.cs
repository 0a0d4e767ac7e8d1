using System.Text;
using TwitterBot.Processor.XChat.Protocol;

namespace TwitterBot.Tests.XChat;

/// <summary>
/// Our XChat protocol against every one of X's published cross-binding vectors. The simulator's XChat users run
/// this same code (seal and open), so these vectors are what keeps both sides honest: a bug shared by our sealing
/// and our opening would pass a round trip, never X's vectors.
/// </summary>
public static class XChatSdkVectors_Specs
{
    public class When_the_bot_imports_its_key_blob
    {
        [Test]
        public void Should_derive_the_published_public_keys()
        {
            using var keys = XChatVectors.Recipient();

            Assert.That(keys.IdentityPublicKey.RawBase64, Is.EqualTo(XChatVectors.Get("identity_public_b64")));
            Assert.That(keys.SigningPublicKey.RawBase64, Is.EqualTo(XChatVectors.Get("signing_public_b64")));
            Assert.That(keys.KeyVersion, Is.EqualTo(XChatVectors.Get("event_recipient_key_version")));
        }

        [Test]
        public void Should_export_the_blob_it_imported_as_identity_then_signing_key()
        {
            using var keys = XChatVectors.Recipient();
            var blob = Convert.FromBase64String(keys.ExportBlob());

            Assert.That(keys.ExportBlob(), Is.EqualTo(XChatVectors.Get("private_keys_concat_b64")));
            Assert.That(blob[..32], Is.EqualTo(Convert.FromBase64String(XChatVectors.Get("identity_private_b64"))));
            Assert.That(blob[32..], Is.EqualTo(Convert.FromBase64String(XChatVectors.Get("signing_private_b64"))));
        }

        [Test]
        public void Should_never_show_the_private_keys_in_its_text()
        {
            using var keys = XChatVectors.Recipient();

            Assert.That(keys.ToString(), Does.Not.Contain(keys.ExportBlob()).And.Not.Contain("AAAAAAAAAAAA"));
        }
    }

    public class When_the_senders_served_keys_are_checked
    {
        [Test]
        public void Should_verify_the_identity_cross_signature_over_the_key_as_served()
        {
            Assert.That(XChatVectors.SenderServedKeys().BindingVerifies, Is.True);
        }

        [Test]
        public void Should_refuse_a_signing_key_swapped_for_another()
        {
            using var other = XChatKeyPair.Generate("1");
            var swapped = new XChatUserPublicKeys(XChatVectors.SenderId, "1",
                XChatPublicKey.Parse(XChatVectors.Get("identity_public_b64")), other.SigningPublicKey,
                Convert.FromBase64String(XChatVectors.Get("identity_public_key_signature_b64")));

            Assert.That(swapped.BindingVerifies, Is.False);
        }

        [Test]
        public void Should_match_the_imported_blob()
        {
            using var keys = XChatVectors.Recipient();

            Assert.That(keys.Matches(XChatVectors.SenderServedKeys()), Is.True);
        }
    }

    public class When_the_signature_vector_is_reproduced
    {
        [Test]
        public void Should_sign_byte_for_byte_as_X_with_deterministic_ECDSA()
        {
            using var keys = XChatVectors.Recipient();

            var signature = keys.Sign(Encoding.UTF8.GetBytes(XChatVectors.Get("message_utf8")));

            Assert.That(Convert.ToBase64String(signature), Is.EqualTo(XChatVectors.Get("signature_b64")));
        }

        [Test]
        public void Should_verify_it_and_refuse_it_over_other_bytes()
        {
            var key = XChatPublicKey.Parse(XChatVectors.Get("signing_public_b64"));
            var signature = Convert.FromBase64String(XChatVectors.Get("signature_b64"));

            Assert.That(key.Verify(signature, Encoding.UTF8.GetBytes(XChatVectors.Get("message_utf8"))), Is.True);
            Assert.That(key.Verify(signature, Encoding.UTF8.GetBytes(XChatVectors.Get("message_utf8") + "!")), Is.False);
        }
    }

    public class When_the_key_change_vector_is_opened
    {
        [Test]
        public void Should_yield_the_published_conversation_key_at_its_version()
        {
            var key = XChatVectors.ConversationKey();

            Assert.That(Convert.ToBase64String(key.Key), Is.EqualTo(XChatVectors.Get("conversation_key_b64")));
            Assert.That(key.KeyVersion, Is.EqualTo(XChatVectors.Get("event_conversation_key_version")));
            Assert.That(key.ConversationId, Is.EqualTo(XChatVectors.ConversationId));
        }

        [Test]
        public void Should_refuse_it_when_no_served_key_of_the_sender_is_known()
        {
            using var recipient = XChatVectors.Recipient();

            var refusal = Assert.Throws<XChatProtocolException>(() =>
                XChatProtocol.OpenKeyChange(XChatVectors.KeyChange(), recipient, XChatVectors.SenderId, []));

            Assert.That(refusal!.Reason, Is.EqualTo(XChatRejection.UnknownSigningKey));
        }

        [Test]
        public void Should_refuse_it_for_a_recipient_key_version_it_does_not_carry()
        {
            using var recipient = XChatKeyPair.Import(XChatVectors.Get("private_keys_concat_b64"), "2");

            var refusal = Assert.Throws<XChatProtocolException>(() => XChatProtocol.OpenKeyChange(
                XChatVectors.KeyChange(), recipient, XChatVectors.SenderId, [XChatVectors.SenderServedKeys()]));

            Assert.That(refusal!.Reason, Is.EqualTo(XChatRejection.NotAddressedToRecipient));
        }
    }

    public class When_the_message_vector_is_opened
    {
        [Test]
        public void Should_verify_and_decrypt_the_published_text()
        {
            var message = (XChatMessageEvent)XChatEvents.Decode(XChatVectors.Get("event_message_b64"));

            var opened = XChatProtocol.OpenMessage(message, XChatVectors.Lookup(XChatVectors.ConversationKey()), [XChatVectors.SenderServedKeys()]);

            Assert.That(opened.Text, Is.EqualTo(XChatVectors.Get("event_message_text")));
            Assert.That(opened.Kind, Is.EqualTo(XChatContentKind.Message));
            Assert.That(opened.SenderId, Is.EqualTo(XChatVectors.SenderId));
            Assert.That(opened.ConversationId, Is.EqualTo(XChatVectors.ConversationId));
            Assert.That(opened.ConversationKeyVersion, Is.EqualTo(XChatVectors.Get("event_conversation_key_version")));
            Assert.That(opened.MessageId, Is.Not.Empty);
            Assert.That(opened.HasAttachments, Is.False);
            Assert.That(opened.QuotedPreview, Is.Null);
            Assert.That(opened.ToString(), Does.Not.Contain(opened.Text));
        }

        [Test]
        public void Should_refuse_it_before_decrypting_when_the_sender_has_no_served_key()
        {
            var message = (XChatMessageEvent)XChatEvents.Decode(XChatVectors.Get("event_message_b64"));
            var lookups = 0;

            var refusal = Assert.Throws<XChatProtocolException>(() => XChatProtocol.OpenMessage(message, (_, _) =>
            {
                lookups++;
                return XChatVectors.ConversationKey();
            }, []));

            Assert.That(refusal!.Reason, Is.EqualTo(XChatRejection.UnknownSigningKey));
            Assert.That(lookups, Is.Zero);
        }

        [Test]
        public void Should_refuse_it_when_its_key_is_not_known()
        {
            var message = (XChatMessageEvent)XChatEvents.Decode(XChatVectors.Get("event_message_b64"));

            var refusal = Assert.Throws<XChatProtocolException>(() =>
                XChatProtocol.OpenMessage(message, (_, _) => null, [XChatVectors.SenderServedKeys()]));

            Assert.That(refusal!.Reason, Is.EqualTo(XChatRejection.UnknownConversationKey));
        }
    }

    public class When_the_reply_vectors_are_opened
    {
        private static XChatOpenedMessage Open(string name) => XChatProtocol.OpenMessage(
            (XChatMessageEvent)XChatEvents.Decode(XChatVectors.Get(name)),
            XChatVectors.Lookup(XChatVectors.ConversationKey()), [XChatVectors.SenderServedKeys()]);

        [Test]
        public void Should_show_the_genuine_reply_with_its_verified_preview()
        {
            var reply = Open("event_reply_valid_b64");

            Assert.That(reply.Text, Is.EqualTo(XChatVectors.Get("event_reply_text")));
            Assert.That(reply.QuotedPreview!.Status, Is.EqualTo(XChatPreviewStatus.Valid));
            Assert.That(reply.QuotedPreview.Text, Is.EqualTo(XChatVectors.Get("event_message_text")));
            Assert.That(reply.QuotedPreview.QuotedSenderId, Is.EqualTo(XChatVectors.SenderId));
            Assert.That(reply.QuotedPreview.ReplyingToMessageId, Is.EqualTo(XChatEvents.Decode(XChatVectors.Get("event_message_b64")).Envelope.MessageId));
        }

        [Test]
        public void Should_accept_the_forged_reply_itself_but_report_its_preview_invalid_and_never_show_it()
        {
            var reply = Open("event_reply_forged_b64");

            Assert.That(reply.Text, Is.EqualTo(XChatVectors.Get("event_reply_text")));
            Assert.That(reply.QuotedPreview!.Status, Is.EqualTo(XChatPreviewStatus.Invalid));
            Assert.That(reply.QuotedPreview.Text, Is.Null);
            Assert.That(reply.ToString() + reply.QuotedPreview, Does.Not.Contain(XChatVectors.Get("event_reply_forged_preview_text")));
        }
    }

    public class When_the_failure_vector_is_decoded
    {
        [Test]
        public void Should_report_a_rate_limit_upsell_at_the_premium_tier_without_any_key()
        {
            var failure = (XChatFailureEvent)XChatEvents.Decode(XChatVectors.Get("event_failure_b64"));

            Assert.That(failure.FailureType, Is.EqualTo(12));
            Assert.That(failure.RateLimitTier, Is.EqualTo(3));
            Assert.That(failure.Envelope.SenderId, Is.EqualTo(XChatVectors.SenderId));
        }
    }

    public class When_the_garbage_vector_is_decoded
    {
        [Test]
        public void Should_refuse_it_as_malformed()
        {
            var refusal = Assert.Throws<XChatProtocolException>(() => XChatEvents.Decode(XChatVectors.Get("event_garbage_b64")));

            Assert.That(refusal!.Reason, Is.EqualTo(XChatRejection.Malformed));
            Assert.That(XChatEvents.TryDecode(XChatVectors.Get("event_garbage_b64"), out var decoded, out var reason), Is.False);
            Assert.That(decoded, Is.Null);
            Assert.That(reason, Is.EqualTo(XChatRejection.Malformed));
        }
    }
}
