using System.Security.Cryptography;
using System.Text.RegularExpressions;
using TwitterBot.Processor.XChat.Protocol;
using TwitterBot.Simulators;
using TwitterBot.Tests.Support;

namespace TwitterBot.Tests.Integration;

/// <summary><c>xchat keys generate &lt;bot&gt;</c> against the simulated X: generate, register, print once; then <c>doctor</c> agrees.</summary>
[Category("Integration")]
public static partial class XChatKeysCommand_Specs
{
    [GeneratedRegex(@"PrivateKeysSecret=(?<blob>\S+)")]
    private static partial Regex Blob();

    [GeneratedRegex(@"KeyVersion=(?<version>\d+)")]
    private static partial Regex Version();

    public class When_the_bot_has_no_XChat_keys
    {
        [Test]
        public async Task Should_register_new_ones_and_print_the_blob_doctor_then_accepts()
        {
            await using var rig = await AccountRig.StartAsync();
            var settings = rig.Settings("enterprise");

            var (exitCode, output) = await AccountRig.RunAsync(settings, "xchat", "keys", "generate", TestCredentials.BotUserId);

            Assert.That(exitCode, Is.Zero, output);
            var blob = Blob().Match(output).Groups["blob"].Value;
            var version = Version().Match(output).Groups["version"].Value;
            Assert.That(rig.X.PublicKeys[TestCredentials.BotUserId].Select(k => k.Version), Is.EqualTo(new[] { version }));
            using var printed = XChatKeyPair.Import(blob, version);
            Assert.That(printed.Matches(rig.X.ServedKeys(TestCredentials.BotUserId).Single()), Is.True, "the printed blob is the registered key pair");

            settings["TwitterBot:XChat:Enabled"] = "true";
            settings["TwitterBot:XChat:ConversationKeysSecret"] = Convert.ToBase64String(RandomNumberGenerator.GetBytes(32));
            settings["TwitterBot:XChat:Bots:0:UserId"] = TestCredentials.BotUserId;
            settings["TwitterBot:XChat:Bots:0:PrivateKeysSecret"] = blob;
            settings["TwitterBot:XChat:Bots:0:KeyVersion"] = version;
            var (_, doctor) = await AccountRig.RunAsync(settings, "doctor");
            Assert.That(doctor, Does.Contain($"[ ok ] Bot {TestCredentials.BotUserId} XChat keys"));
        }
    }

    public class When_X_already_serves_keys_for_the_bot
    {
        [Test]
        public async Task Should_refuse_and_register_nothing()
        {
            await using var rig = await AccountRig.StartAsync();
            using var existing = XChatKeyPair.Generate("7");
            rig.X.RegisterPublicKey(TestCredentials.BotUserId, FakePublicKey.Of(existing, TestCredentials.BotUserId));

            var (exitCode, output) = await AccountRig.RunAsync(rig.Settings("enterprise"), "xchat", "keys", "generate", TestCredentials.BotUserId);

            Assert.That(exitCode, Is.EqualTo(1));
            Assert.That(output, Does.Contain("X already serves XChat keys for bot").And.Not.Contain("PrivateKeysSecret="));
            Assert.That(rig.X.PublicKeys[TestCredentials.BotUserId].Select(k => k.Version), Is.EqualTo(new[] { "7" }));
        }
    }
}
