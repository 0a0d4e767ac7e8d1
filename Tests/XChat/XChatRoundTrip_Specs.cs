using TwitterBot.Processor.XChat.Protocol;

namespace TwitterBot.Tests.XChat;

/// <summary>
/// Our own seal against our own open, with fresh key pairs served in production's SPKI form: a simulated user
/// creates the conversation key and writes to the bot, the bot answers, the simulator opens the answer as X's
/// clients would. Seal and open are shared by the bot and the simulator, so a round trip alone proves little: the
/// X vectors (<see cref="XChatSdkVectors_Specs"/>) are what pins both to X's protocol.
/// </summary>
public static class XChatRoundTrip_Specs
{
    private const string UserId = "1001";
    private const string BotId = "20020";
    private const string KeyVersion = "1700000000001";

    /// <summary>A simulated user and the bot, each with fresh keys registered under their own versions.</summary>
    private sealed class Conversation(string userKeyVersion = "11", string botKeyVersion = "22") : IDisposable
    {
        public XChatKeyPair User { get; } = XChatKeyPair.Generate(userKeyVersion);
        public XChatKeyPair Bot { get; } = XChatKeyPair.Generate(botKeyVersion);
        public XChatUserPublicKeys UserServed => User.ToServedKeys(UserId);
        public XChatUserPublicKeys BotServed => Bot.ToServedKeys(BotId);
        public XChatConversationKey Key { get; } = XChatConversationKey.Generate(XChatConversationId.Pair(UserId, BotId), KeyVersion);

        public XChatUserPublicKeys[] Served => [UserServed, BotServed];

        public XChatSealedKeyChange KeyChange(string messageId = "kc-1") =>
            XChatProtocol.SealKeyChange(User, UserId, Key, Served, messageId);

        public string UserMessage(string text, string messageId = "m-1") =>
            XChatProtocol.SealMessage(User, UserId, Key, text, messageId).ToEvent("100", "1700000000500");

        public XChatOpenedMessage BotOpens(string encodedEvent, XChatConversationKeyLookup? lookup = null) =>
            XChatProtocol.OpenMessage((XChatMessageEvent)XChatEvents.Decode(encodedEvent), lookup ?? XChatVectors.Lookup(Key), Served);

        public void Dispose()
        {
            User.Dispose();
            Bot.Dispose();
        }
    }

    public class When_a_user_starts_a_conversation_with_the_bot
    {
        [Test]
        public void Should_give_the_bot_the_users_conversation_key_after_verifying_it()
        {
            using var conversation = new Conversation();
            var change = conversation.KeyChange();

            var key = XChatProtocol.OpenKeyChange(
                (XChatKeyChangeEvent)XChatEvents.Decode(change.ToEvent("99", "1700000000000")), conversation.Bot, BotId, conversation.Served);

            Assert.That(key.Key.ToArray(), Is.EqualTo(conversation.Key.Key.ToArray()));
            Assert.That(key.KeyVersion, Is.EqualTo(KeyVersion));
            Assert.That(key.ConversationId, Is.EqualTo($"{UserId}:{BotId}"));
            Assert.That(change.ParticipantKeys.Select(p => (p.UserId, p.PublicKeyVersion)), Is.EqualTo(new[] { (UserId, "11"), (BotId, "22") }));
        }

        [Test]
        public void Should_let_the_bot_read_the_users_message()
        {
            using var conversation = new Conversation();

            var opened = conversation.BotOpens(conversation.UserMessage("héllo 👋, bot"));

            Assert.That(opened.Text, Is.EqualTo("héllo 👋, bot"));
            Assert.That(opened.SenderId, Is.EqualTo(UserId));
            Assert.That(opened.MessageId, Is.EqualTo("m-1"));
            Assert.That(opened.SequenceId, Is.EqualTo("100"));
            Assert.That(opened.ConversationKeyVersion, Is.EqualTo(KeyVersion));
        }
    }

    public class When_the_bot_answers
    {
        [Test]
        public void Should_send_what_the_simulator_opens_as_X_would_deliver_it()
        {
            using var conversation = new Conversation();

            var reply = XChatProtocol.SealMessage(conversation.Bot, BotId, conversation.Key, "1. Yes\n2. No", "reply-7");
            var delivered = XChatProtocol.AssembleMessageEvent(reply.MessageId, BotId, reply.UrlConversationId,
                reply.EncodedMessageCreateEvent, reply.EncodedMessageEventSignature, "101", "1700000000600");
            var opened = XChatProtocol.OpenMessage((XChatMessageEvent)XChatEvents.Decode(delivered), XChatVectors.Lookup(conversation.Key),
                [conversation.BotServed]);

            Assert.That(opened.Text, Is.EqualTo("1. Yes\n2. No"));
            Assert.That(opened.MessageId, Is.EqualTo("reply-7"));
            Assert.That(opened.SenderId, Is.EqualTo(BotId));
            Assert.That(reply.ConversationId, Is.EqualTo($"{UserId}:{BotId}"));
            Assert.That(reply.UrlConversationId, Is.EqualTo($"{UserId}-{BotId}"));
        }

        [Test]
        public void Should_sign_the_canonical_conversation_id_whatever_form_it_was_given()
        {
            using var conversation = new Conversation();
            var urlFormKey = new XChatConversationKey($"{BotId}-{UserId}", KeyVersion, conversation.Key.Key);

            var reply = XChatProtocol.SealMessage(conversation.Bot, BotId, urlFormKey, "hi", "reply-8");

            Assert.That(reply.ConversationId, Is.EqualTo($"{UserId}:{BotId}"));
            Assert.That(conversation.BotOpens(reply.ToEvent(null, null)).Text, Is.EqualTo("hi"));
        }

        [Test]
        public void Should_produce_different_ciphertext_for_a_retry_of_the_same_message_id_that_still_opens()
        {
            using var conversation = new Conversation();

            var first = XChatProtocol.SealMessage(conversation.Bot, BotId, conversation.Key, "same", "reply-9");
            var retry = XChatProtocol.SealMessage(conversation.Bot, BotId, conversation.Key, "same", "reply-9");

            Assert.That(retry.EncodedMessageCreateEvent, Is.Not.EqualTo(first.EncodedMessageCreateEvent));
            Assert.That(conversation.BotOpens(retry.ToEvent(null, null)).MessageId, Is.EqualTo("reply-9"));
        }
    }

    public class When_a_message_is_not_what_it_claims
    {
        [Test]
        public void Should_refuse_a_key_version_the_bot_has_no_key_for()
        {
            using var conversation = new Conversation();
            var otherVersion = new XChatConversationKey(conversation.Key.ConversationId, "1700000000002", conversation.Key.Key);

            var refusal = Assert.Throws<XChatProtocolException>(() =>
                conversation.BotOpens(conversation.UserMessage("x"), XChatVectors.Lookup(otherVersion)));

            Assert.That(refusal!.Reason, Is.EqualTo(XChatRejection.UnknownConversationKey));
        }

        [Test]
        public void Should_refuse_a_message_under_the_right_version_but_another_key()
        {
            using var conversation = new Conversation();
            var wrong = XChatConversationKey.Generate(conversation.Key.ConversationId, KeyVersion);

            var refusal = Assert.Throws<XChatProtocolException>(() =>
                conversation.BotOpens(conversation.UserMessage("x"), XChatVectors.Lookup(wrong)));

            Assert.That(refusal!.Reason, Is.EqualTo(XChatRejection.DecryptionFailed));
        }

        [TestCase("22", XChatRejection.UnknownSigningKey)]
        [TestCase("11", XChatRejection.InvalidSignature)]
        public void Should_refuse_a_message_claiming_another_sender(string botKeyVersion, XChatRejection expected)
        {
            // With the bot's keys under another version the signature names no key of the claimed sender; under
            // the same version the bot's key is chosen and the user's signature fails on it.
            using var conversation = new Conversation(botKeyVersion: botKeyVersion);
            var sealedMessage = XChatProtocol.SealMessage(conversation.User, UserId, conversation.Key, "I am the bot", "m-2");
            var claimingBot = XChatProtocol.AssembleMessageEvent("m-2", BotId, sealedMessage.ConversationId,
                sealedMessage.EncodedMessageCreateEvent, sealedMessage.EncodedMessageEventSignature, null, null);

            var refusal = Assert.Throws<XChatProtocolException>(() => conversation.BotOpens(claimingBot));

            Assert.That(refusal!.Reason, Is.EqualTo(expected));
        }

        [Test]
        public void Should_refuse_a_sender_whose_served_keys_do_not_bind()
        {
            using var conversation = new Conversation();
            using var mallory = XChatKeyPair.Generate("11");
            var substituted = new XChatUserPublicKeys(UserId, "11", conversation.UserServed.IdentityPublicKey, mallory.SigningPublicKey,
                Convert.FromBase64String(conversation.UserServed.IdentityPublicKeySignatureBase64));

            var refusal = Assert.Throws<XChatProtocolException>(() => XChatProtocol.OpenMessage(
                (XChatMessageEvent)XChatEvents.Decode(conversation.UserMessage("x")), XChatVectors.Lookup(conversation.Key), [substituted]));

            Assert.That(refusal!.Reason, Is.EqualTo(XChatRejection.UnknownSigningKey));
        }

        [Test]
        public void Should_refuse_a_message_moved_to_another_message_id()
        {
            using var conversation = new Conversation();
            var sealedMessage = XChatProtocol.SealMessage(conversation.User, UserId, conversation.Key, "x", "m-3");
            var moved = XChatProtocol.AssembleMessageEvent("m-4", UserId, sealedMessage.ConversationId,
                sealedMessage.EncodedMessageCreateEvent, sealedMessage.EncodedMessageEventSignature, null, null);

            Assert.That(Assert.Throws<XChatProtocolException>(() => conversation.BotOpens(moved))!.Reason, Is.EqualTo(XChatRejection.InvalidSignature));
        }

        [Test]
        public void Should_refuse_tampered_ciphertext()
        {
            using var conversation = new Conversation();
            var sealedMessage = XChatProtocol.SealMessage(conversation.User, UserId, conversation.Key, "pay 10", "m-5");
            var create = Convert.FromBase64String(sealedMessage.EncodedMessageCreateEvent);
            create[60] ^= 0x01;
            var tampered = XChatProtocol.AssembleMessageEvent("m-5", UserId, sealedMessage.ConversationId,
                Convert.ToBase64String(create), sealedMessage.EncodedMessageEventSignature, null, null);

            Assert.That(Assert.Throws<XChatProtocolException>(() => conversation.BotOpens(tampered))!.Reason, Is.EqualTo(XChatRejection.InvalidSignature));
        }

        [Test]
        public void Should_refuse_a_tampered_signature()
        {
            using var conversation = new Conversation();
            var sealedMessage = XChatProtocol.SealMessage(conversation.User, UserId, conversation.Key, "x", "m-6");
            var signature = Convert.FromBase64String(sealedMessage.EncodedMessageEventSignature);
            // Byte 10 is inside the signature string (field header 3 bytes, length 4), not its last character.
            const int at = 10;
            signature[at] = (byte)(signature[at] == (byte)'B' ? 'C' : 'B');
            var tampered = XChatProtocol.AssembleMessageEvent("m-6", UserId, sealedMessage.ConversationId,
                sealedMessage.EncodedMessageCreateEvent, Convert.ToBase64String(signature), null, null);

            Assert.That(Assert.Throws<XChatProtocolException>(() => conversation.BotOpens(tampered))!.Reason,
                Is.EqualTo(XChatRejection.InvalidSignature).Or.EqualTo(XChatRejection.UnknownSigningKey));
        }

        [Test]
        public void Should_refuse_a_message_without_a_key_version()
        {
            using var conversation = new Conversation();
            var sealedMessage = XChatProtocol.SealMessage(conversation.User, UserId, conversation.Key, "x", "m-7");
            var contents = ThriftBytes.ReadBinaryField(Convert.FromBase64String(sealedMessage.EncodedMessageCreateEvent), 100);
            var withoutVersion = new ThriftBytes().Binary(100, contents).Stop().ToBase64();
            var delivered = XChatProtocol.AssembleMessageEvent("m-7", UserId, sealedMessage.ConversationId, withoutVersion,
                sealedMessage.EncodedMessageEventSignature, null, null);

            Assert.That(Assert.Throws<XChatProtocolException>(() => conversation.BotOpens(delivered))!.Reason, Is.EqualTo(XChatRejection.MissingKeyVersion));
        }

        [TestCase("1")]
        [TestCase("0")]
        [TestCase("8")]
        [TestCase("seven")]
        public void Should_refuse_a_signature_version_it_does_not_accept(string version)
        {
            using var conversation = new Conversation();
            var sealedMessage = XChatProtocol.SealMessage(conversation.User, UserId, conversation.Key, "x", "m-8");
            var signature = ThriftBytes.ReadStringField(Convert.FromBase64String(sealedMessage.EncodedMessageEventSignature), 1);
            var downgraded = new ThriftBytes().String(1, signature).String(2, "11").String(3, version).Stop().ToBase64();
            var delivered = XChatProtocol.AssembleMessageEvent("m-8", UserId, sealedMessage.ConversationId,
                sealedMessage.EncodedMessageCreateEvent, downgraded, null, null);

            Assert.That(Assert.Throws<XChatProtocolException>(() => conversation.BotOpens(delivered))!.Reason,
                Is.EqualTo(XChatRejection.UnsupportedSignatureVersion));
        }

        [Test]
        public void Should_accept_a_signature_without_version_as_version_7()
        {
            using var conversation = new Conversation();
            var sealedMessage = XChatProtocol.SealMessage(conversation.User, UserId, conversation.Key, "x", "m-9");
            var signature = ThriftBytes.ReadStringField(Convert.FromBase64String(sealedMessage.EncodedMessageEventSignature), 1);
            var unversioned = new ThriftBytes().String(1, signature).String(2, "11").Stop().ToBase64();
            var delivered = XChatProtocol.AssembleMessageEvent("m-9", UserId, sealedMessage.ConversationId,
                sealedMessage.EncodedMessageCreateEvent, unversioned, null, null);

            Assert.That(conversation.BotOpens(delivered).Text, Is.EqualTo("x"));
        }
    }

    public class When_a_key_change_is_not_what_it_claims
    {
        [Test]
        public void Should_refuse_one_signed_by_someone_else_under_the_senders_name()
        {
            using var conversation = new Conversation();
            using var mallory = XChatKeyPair.Generate("11");
            var forged = XChatProtocol.SealKeyChange(mallory, UserId, conversation.Key, conversation.Served, "kc-2");

            var refusal = Assert.Throws<XChatProtocolException>(() => XChatProtocol.OpenKeyChange(
                (XChatKeyChangeEvent)XChatEvents.Decode(forged.ToEvent(null, null)), conversation.Bot, BotId, conversation.Served));

            Assert.That(refusal!.Reason, Is.EqualTo(XChatRejection.InvalidSignature));
        }

        [Test]
        public void Should_refuse_a_copy_encrypted_to_another_identity_key()
        {
            using var conversation = new Conversation();
            using var impostor = XChatKeyPair.Generate("22");
            var change = XChatProtocol.SealKeyChange(conversation.User, UserId, conversation.Key,
                [conversation.UserServed, impostor.ToServedKeys(BotId)], "kc-3");

            var refusal = Assert.Throws<XChatProtocolException>(() => XChatProtocol.OpenKeyChange(
                (XChatKeyChangeEvent)XChatEvents.Decode(change.ToEvent(null, null)), conversation.Bot, BotId, conversation.Served));

            Assert.That(refusal!.Reason, Is.EqualTo(XChatRejection.DecryptionFailed));
        }

        [Test]
        public void Should_be_an_event_of_its_own_kind_not_a_message()
        {
            using var conversation = new Conversation();

            Assert.That(XChatEvents.Decode(conversation.KeyChange().ToEvent(null, null)), Is.TypeOf<XChatKeyChangeEvent>());
            Assert.That(XChatEvents.Decode(conversation.UserMessage("x")), Is.TypeOf<XChatMessageEvent>());
        }
    }

    public class When_the_bot_registers_new_keys
    {
        [Test]
        public void Should_register_SPKI_keys_whose_cross_signatures_verify()
        {
            using var keys = XChatKeyPair.Generate(KeyVersion);

            var registration = keys.CreateRegistration();
            var served = XChatUserPublicKeys.FromServed(BotId, registration.Version, registration.PublicKey, registration.SigningPublicKey,
                registration.IdentityPublicKeySignature);

            Assert.That(Convert.FromBase64String(registration.PublicKey), Has.Length.EqualTo(91));
            Assert.That(Convert.FromBase64String(registration.SigningPublicKey), Has.Length.EqualTo(91));
            Assert.That(served.BindingVerifies, Is.True);
            Assert.That(keys.IdentityPublicKey.Verify(Convert.FromBase64String(registration.SigningPublicKeySignature),
                Convert.FromBase64String(registration.SigningPublicKey)), Is.True);
            Assert.That(keys.Matches(served), Is.True);
            Assert.That(registration.RegistrationMethod, Is.EqualTo("CustomPin"));
            Assert.That(registration.ToString(), Does.Not.Contain(keys.ExportBlob()));
        }

        [Test]
        public void Should_import_the_exported_blob_to_the_same_keys()
        {
            using var keys = XChatKeyPair.Generate(KeyVersion);
            using var again = XChatKeyPair.Import(keys.ExportBlob(), KeyVersion);

            Assert.That(again.Matches(keys.ToServedKeys(BotId)), Is.True);
        }

        [Test]
        public void Should_not_match_served_keys_of_another_pair_or_version()
        {
            using var keys = XChatKeyPair.Generate(KeyVersion);
            using var other = XChatKeyPair.Generate(KeyVersion);
            using var sameKeysOtherVersion = XChatKeyPair.Import(keys.ExportBlob(), "2");

            Assert.That(keys.Matches(other.ToServedKeys(BotId)), Is.False);
            Assert.That(keys.Matches(sameKeysOtherVersion.ToServedKeys(BotId)), Is.False);
        }

        [TestCase("AAAA")]
        [TestCase("not base64 at all")]
        [TestCase("AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA==")]
        [TestCase("/////////////////////////////////////////////////////////////////////////////////////w==")]
        public void Should_refuse_a_blob_that_is_not_two_valid_scalars_without_echoing_it(string blob)
        {
            var refusal = Assert.Throws<XChatProtocolException>(() => XChatKeyPair.Import(blob, KeyVersion));

            Assert.That(refusal!.Reason, Is.EqualTo(XChatRejection.InvalidKey));
            Assert.That(refusal.Message, Does.Not.Contain(blob));
        }
    }
}
