using TwitterBot.Tests.Support;

namespace TwitterBot.Tests.XAccount;

/// <summary>Every X error an operator meets while setting up the account, rendered as what to do.</summary>
[Category("Integration")]
public static class XAdvice_Specs
{
    public class When_X_refuses_a_command
    {
        [TestCase(403, 214, "Too many resources already created.", "webhooks delete <id>")]
        [TestCase(400, 214, "Webhook URL does not meet the requirements. Invalid CRC token or json response format.", "answers GET TwitterBot:Api:WebhookUrl?crc_token=")]
        [TestCase(400, 170, "Webhook must exist before subscribing.", "run `webhooks register`")]
        [TestCase(403, 261, "Application cannot perform write actions.", "\"Read, Write and Direct Messages\"")]
        [TestCase(403, 220, "Your credentials do not allow access to this resource: no write access.", "regenerate every bot's access token")]
        [TestCase(401, 89, "Invalid or expired token.", "authorize the app again and set the new TwitterBot:Bots:N:AccessToken")]
        [TestCase(403, 93, "This application is not allowed to access or delete your direct messages.", "The token does not allow Direct Messages")]
        [TestCase(401, 32, "Could not authenticate you.", "TwitterBot:Auth:ConsumerKey and ConsumerSecret")]
        [TestCase(400, 999, "Something X has never said before.", "X answered 400: 999 Something X has never said before.")]
        public async Task Should_print_Xs_words_and_the_fix_and_exit_1(int status, int code, string message, string advice)
        {
            await using var rig = await AccountRig.StartAsync();
            rig.X.AccountOverride = call => call.StartsWith("POST ", StringComparison.Ordinal) ? FakeXApi.Error(status, code, message) : null;

            var (exitCode, output) = await AccountRig.RunAsync(rig.Settings("enterprise"), "webhooks", "register");

            Assert.That(exitCode, Is.EqualTo(1));
            Assert.That(output, Does.Contain($"X answered {status}: {code} {message.TrimEnd('.')}.").And.Contain(advice));
        }
    }
}
