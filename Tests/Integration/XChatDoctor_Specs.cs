using System.Security.Cryptography;
using TwitterBot.Processor.XChat.Protocol;
using TwitterBot.Simulators;
using TwitterBot.Tests.Support;

namespace TwitterBot.Tests.Integration;

/// <summary><c>doctor</c>'s XChat line: the bot's configured private keys derive the public keys X serves for it.</summary>
[Category("Integration")]
public static class XChatDoctor_Specs
{
    private static Dictionary<string, string?> XChatSettings(AccountRig rig, XChatKeyPair configured)
    {
        var settings = rig.Settings("enterprise");
        settings["TwitterBot:XChat:Enabled"] = "true";
        settings["TwitterBot:XChat:ConversationKeysSecret"] = Convert.ToBase64String(RandomNumberGenerator.GetBytes(32));
        settings["TwitterBot:XChat:Bots:0:UserId"] = TestCredentials.BotUserId;
        settings["TwitterBot:XChat:Bots:0:PrivateKeysSecret"] = configured.ExportBlob();
        settings["TwitterBot:XChat:Bots:0:KeyVersion"] = configured.KeyVersion;
        return settings;
    }

    public class When_X_serves_the_keys_the_bot_holds
    {
        [Test]
        public async Task Should_pass_the_bots_XChat_keys()
        {
            await using var rig = await AccountRig.StartAsync();
            using var keys = XChatKeyPair.Generate("3");
            rig.X.RegisterPublicKey(TestCredentials.BotUserId, FakePublicKey.Of(keys, TestCredentials.BotUserId));

            var (_, output) = await AccountRig.RunAsync(XChatSettings(rig, keys), "doctor");

            Assert.That(output, Does.Contain($"[ ok ] Bot {TestCredentials.BotUserId} XChat keys: The public keys derived from TwitterBot:XChat:Bots:0:PrivateKeysSecret are the ones X serves at version 3."));
            Assert.That(output, Does.Not.Contain($"Bot {TestCredentials.SecondBotUserId} XChat keys"), "a bot without XChat has no XChat line");
            Assert.That(output, Does.Not.Contain(keys.ExportBlob()), "the private keys are never printed");
        }
    }

    public class When_X_serves_other_keys_or_none
    {
        [Test]
        public async Task Should_fail_with_what_to_set()
        {
            await using var rig = await AccountRig.StartAsync();
            using var configured = XChatKeyPair.Generate("3");
            using var registered = XChatKeyPair.Generate("3");
            rig.X.RegisterPublicKey(TestCredentials.BotUserId, FakePublicKey.Of(registered, TestCredentials.BotUserId));

            var (exitCode, output) = await AccountRig.RunAsync(XChatSettings(rig, configured), "doctor");

            Assert.That(exitCode, Is.EqualTo(1));
            Assert.That(output, Does.Contain($"[FAIL] Bot {TestCredentials.BotUserId} XChat keys: The public keys derived from TwitterBot:XChat:Bots:0:PrivateKeysSecret are not the ones X serves at version 3")
                .And.Contain("Set TwitterBot:XChat:Bots:0:PrivateKeysSecret to the blob registered at that version"));
            Assert.That(output, Does.Not.Contain(configured.ExportBlob()));
        }

        [Test]
        public async Task Should_fail_when_X_serves_nothing_at_the_configured_version()
        {
            await using var rig = await AccountRig.StartAsync();
            using var configured = XChatKeyPair.Generate("3");

            var (_, output) = await AccountRig.RunAsync(XChatSettings(rig, configured), "doctor");

            Assert.That(output, Does.Contain($"[FAIL] Bot {TestCredentials.BotUserId} XChat keys: X serves no XChat public keys of the bot at version 3 (it serves none).")
                .And.Contain("Set TwitterBot:XChat:Bots:0:KeyVersion"));
        }
    }
}
