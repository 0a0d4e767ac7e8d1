using System.Security.Cryptography;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.Options;
using TwitterBot.Processor.Options;
using TwitterBot.ServiceDefaults;
using TwitterBot.Tests.Common;

namespace TwitterBot.Tests.Processor;

/// <summary>
/// <c>TwitterBot:XChat</c>: the per-bot private keys (64 bytes, base64) with their registered version, and the at-rest
/// key for conversation keys (32 bytes, base64), validated on start with messages that name the key and never its value.
/// </summary>
public static class XChatSettings_Specs
{
    private static readonly string PrivateKeys = Convert.ToBase64String(RandomNumberGenerator.GetBytes(64));
    private static readonly string AtRest = Convert.ToBase64String(RandomNumberGenerator.GetBytes(32));

    private static Dictionary<string, string?> Valid() => new()
    {
        ["TwitterBot:XChat:Enabled"] = "true",
        ["TwitterBot:XChat:ConversationKeysSecret"] = AtRest,
        ["TwitterBot:XChat:Bots:0:UserId"] = "4337869213",
        ["TwitterBot:XChat:Bots:0:PrivateKeysSecret"] = PrivateKeys,
        ["TwitterBot:XChat:Bots:0:KeyVersion"] = "1782945126642",
    };

    private static XChatOptions Read(Dictionary<string, string?> values) =>
        new ConfigurationBuilder().AddInMemoryCollection(values).Build().GetValidated<XChatOptions, XChatOptionsValidator>(XChatOptions.Section);

    public class When_the_section_is_valid
    {
        [Test]
        public void Should_bind_the_bots_keys_and_say_which_bot_speaks_XChat()
        {
            var options = Read(Valid());

            Assert.That(options.IsEnabledFor("4337869213"), Is.True);
            Assert.That(options.IsEnabledFor("5550001111"), Is.False);
            Assert.That(options.For("4337869213")!.PrivateKeys(), Has.Length.EqualTo(XChatOptions.PrivateKeysLength));
            Assert.That(options.ConversationKeysKey(), Has.Length.EqualTo(XChatOptions.ConversationKeysSecretLength));
        }

        [Test]
        public void Should_answer_groups_only_when_mentioned_unless_told_otherwise()
        {
            var values = Valid();
            values["TwitterBot:XChat:Bots:0:ScreenName"] = "acme_support";

            Assert.That(Read(values).Groups, Is.EqualTo(XChatGroups.WhenMentioned));
            Assert.That(Read(values).For("4337869213")!.ScreenName, Is.EqualTo("acme_support"));
            values["TwitterBot:XChat:Groups"] = "All";
            Assert.That(Read(values).Groups, Is.EqualTo(XChatGroups.All));
        }

        [Test]
        public void Should_speak_XChat_for_no_bot_while_disabled()
        {
            var values = Valid();
            values["TwitterBot:XChat:Enabled"] = "false";

            Assert.That(Read(values).IsEnabledFor("4337869213"), Is.False);
        }

        [Test]
        public void Should_be_valid_and_off_when_absent() =>
            Assert.That(Read([]).Enabled, Is.False);

        [Test]
        public void Should_never_show_a_secret_when_printed()
        {
            var options = Read(Valid());

            Assert.That(options.ToString() + options.Bots[0], Does.Not.Contain(PrivateKeys).And.Not.Contain(AtRest));
        }

        [TestCase("TwitterBot:XChat:ConversationKeysSecret", true)]
        [TestCase("TwitterBot__XChat__Bots__0__PrivateKeysSecret", true)]
        [TestCase("TwitterBot:XChat:Bots:0:KeyVersion", false)]
        public void Should_name_the_secrets_so_that_the_process_runner_masks_them(string key, bool secret) =>
            Assert.That(RunningProcess.IsSecret(key), Is.EqualTo(secret));
    }

    public class When_a_value_is_invalid
    {
        [TestCase("TwitterBot:XChat:ConversationKeysSecret", "", "TwitterBot:XChat:ConversationKeysSecret is required")]
        [TestCase("TwitterBot:XChat:ConversationKeysSecret", "c2hvcnQ=", "TwitterBot:XChat:ConversationKeysSecret must be base64 of exactly 32 random bytes")]
        [TestCase("TwitterBot:XChat:ConversationKeysSecret", "not base64 at all!", "TwitterBot:XChat:ConversationKeysSecret must be base64 of exactly 32 random bytes")]
        [TestCase("TwitterBot:XChat:Bots:0:PrivateKeysSecret", "", "TwitterBot:XChat:Bots:0:PrivateKeysSecret is required")]
        [TestCase("TwitterBot:XChat:Bots:0:PrivateKeysSecret", "AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA=", "TwitterBot:XChat:Bots:0:PrivateKeysSecret must be base64 of exactly 64 bytes")]
        [TestCase("TwitterBot:XChat:Bots:0:KeyVersion", "0", "TwitterBot:XChat:Bots:0:KeyVersion must be the positive integer")]
        [TestCase("TwitterBot:XChat:Bots:0:KeyVersion", "-3", "TwitterBot:XChat:Bots:0:KeyVersion must be the positive integer")]
        [TestCase("TwitterBot:XChat:Bots:0:KeyVersion", "", "TwitterBot:XChat:Bots:0:KeyVersion must be the positive integer")]
        [TestCase("TwitterBot:XChat:Bots:0:UserId", "bot", "TwitterBot:XChat:Bots:0:UserId")]
        [TestCase("TwitterBot:XChat:Groups", "Mentioned", "TwitterBot:XChat:Groups must be one of Ignore, WhenMentioned, All")]
        [TestCase("TwitterBot:XChat:Bots:0:ScreenName", "@acme", "TwitterBot:XChat:Bots:0:ScreenName must be the bot's X handle without @")]
        [TestCase("TwitterBot:XChat:Bots:0:ScreenName", "a_handle_far_too_long", "TwitterBot:XChat:Bots:0:ScreenName must be the bot's X handle without @")]
        public void Should_refuse_it_naming_the_key_and_not_the_value(string key, string value, string message)
        {
            var values = Valid();
            values[key] = value;

            Assert.That(() => Read(values), Throws.InstanceOf<OptionsValidationException>()
                .With.Message.Contains(message)
                .And.Message.Not.Contains(PrivateKeys)
                .And.Message.Not.Contains(AtRest));
        }

        [Test]
        public void Should_refuse_the_same_bot_twice()
        {
            var values = Valid();
            values["TwitterBot:XChat:Bots:1:UserId"] = "4337869213";
            values["TwitterBot:XChat:Bots:1:PrivateKeysSecret"] = PrivateKeys;
            values["TwitterBot:XChat:Bots:1:KeyVersion"] = "2";

            Assert.That(() => Read(values), Throws.InstanceOf<OptionsValidationException>().With.Message.Contains("TwitterBot:XChat:Bots must not list the same UserId twice."));
        }

        [Test]
        public void Should_refuse_enabling_it_without_a_bot()
        {
            var values = new Dictionary<string, string?> { ["TwitterBot:XChat:Enabled"] = "true", ["TwitterBot:XChat:ConversationKeysSecret"] = AtRest };

            Assert.That(() => Read(values), Throws.InstanceOf<OptionsValidationException>().With.Message.Contains("TwitterBot:XChat:Bots must list at least one bot"));
        }
    }
}
