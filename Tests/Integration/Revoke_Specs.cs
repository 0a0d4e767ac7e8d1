using System.Text.Json.Nodes;
using TwitterBot.Processor.Conversations;
using TwitterBot.Tests.Support;

namespace TwitterBot.Tests.Integration;

/// <summary>A bot account whose tokens stopped working ends its conversations cleanly, until new tokens are set.</summary>
[Category("Integration")]
public static class Revoke_Specs
{
    private static async Task<string?> OutcomeAsync(ConversationRig rig, string eventId)
    {
        using var deadline = new CancellationTokenSource(ConversationRig.Patience);
        while (true)
        {
            var state = await rig.Store.ScalarAsync<short>($"SELECT state FROM conversation_turns WHERE event_id = '{eventId}'");
            if (state is (short)TurnState.Completed or (short)TurnState.Rejected)
            {
                return await rig.Store.ScalarAsync<string>($"SELECT outcome FROM conversation_turns WHERE event_id = '{eventId}'");
            }

            await Task.Delay(100, deadline.Token);
        }
    }

    public class When_the_bot_account_revokes_the_app
    {
        [Test]
        public async Task Should_end_its_conversations_without_calling_the_gateway_or_X_until_new_tokens_are_set()
        {
            await using var rig = await ConversationRig.StartAsync();
            var revoked = await rig.StartProcessorProcessAsync();

            var revoke = JsonNode.Parse(XSamples.Text(XSamples.OtherEvents))![2]!;
            revoke["user_event"]!["revoke"]!["source"]!["user_id"] = TestCredentials.BotUserId;
            revoke["user_event"]!["revoke"]!["date_time"] = DateTimeOffset.UtcNow.ToString("O", System.Globalization.CultureInfo.InvariantCulture); // after the tokens were first seen
            using (var response = await rig.Ingress.PostWebhookAsync(revoke.ToJsonString()))
            {
                Assert.That((int)response.StatusCode, Is.EqualTo(200));
            }

            using (var deadline = new CancellationTokenSource(ConversationRig.Patience))
            {
                while (await rig.Store.ScalarAsync<long>("SELECT count(*) FROM revoked_bots") == 0)
                {
                    await Task.Delay(100, deadline.Token);
                }
            }

            await rig.PostAsync("1910000000000000001", "anyone there?");
            Assert.That(await OutcomeAsync(rig, "1910000000000000001"), Is.EqualTo(ConversationTurn.RevokedReason));
            Assert.That(rig.Gateway.AskedTexts, Is.Empty);
            Assert.That(rig.X.Attempts, Is.Empty);

            await revoked.KillAsync();
            rig.Settings["TwitterBot:Bots:0:AccessToken"] = "4337869213-new-access-token";
            rig.Settings["TwitterBot:Bots:0:AccessSecret"] = "new-access-secret";
            rig.X.UserTokens["4337869213-new-access-token"] = "new-access-secret";
            await rig.StartProcessorProcessAsync();
            await rig.PostAsync("1910000000000000002", "and now?");

            var sent = await rig.X.WaitForDirectMessagesAsync(1, ConversationRig.Patience);
            Assert.That((sent.Single().SenderToken, sent.Single().Text), Is.EqualTo(("4337869213-new-access-token", "You said: and now?")));
        }
    }

    public class When_X_says_the_bots_token_is_no_longer_valid
    {
        [Test]
        public async Task Should_not_try_that_token_again_on_the_next_turn()
        {
            await using var rig = await ConversationRig.StartAsync();
            rig.X.Override = _ => Microsoft.AspNetCore.Http.Results.Json(
                new { errors = new[] { new { code = 89, message = "Invalid or expired token." } } }, statusCode: 401);
            await rig.StartProcessorAsync();

            await rig.PostAsync("1910000000000000101", "first", "3001969361");
            Assert.That(await OutcomeAsync(rig, "1910000000000000101"), Does.Contain("89"));
            await rig.PostAsync("1910000000000000102", "second", "3001969362");

            Assert.That(await OutcomeAsync(rig, "1910000000000000102"), Is.EqualTo(ConversationTurn.RevokedReason));
            Assert.That(rig.X.Attempts, Has.Count.EqualTo(1), "the token X refused was not tried again");
            Assert.That(rig.Gateway.AskedTexts, Is.EqualTo(new[] { "first" }));
        }
    }
}
