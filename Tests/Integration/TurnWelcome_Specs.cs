using TwitterBot.Processor.Conversations;
using TwitterBot.Processor.Replies;
using TwitterBot.Tests.Support;

namespace TwitterBot.Tests.Integration;

public static class TurnWelcome_Specs
{
    /// <summary>The welcome of a turn that began a new gateway session, kept until the turn is answered.</summary>
    [Category("Integration")]
    public class When_a_turn_stored_its_welcome_before_the_users_text_was_answered
    {
        private const string ConversationKey = "4337869213:3001969357";

        [TestCaseSource(typeof(ConversationStores), nameof(ConversationStores.Kinds))]
        public async Task Should_give_it_back_with_the_turn_when_it_is_claimed_again(StoreKind kind)
        {
            await using var stores = await ConversationStores.StartAsync(kind);
            var messageId = Guid.NewGuid();
            await using (var first = await stores.Turns.ClaimTurnAsync(messageId, ConversationKey, "1920000000000000001", CancellationToken.None))
            {
                Assert.That(first!.Turn.Welcome, Is.Null, "a new turn has made no session decision yet");
                await first.SaveAsync(t => t.Welcomed(new PlannedAnswer([new PlannedReply("Welcome!", [new QuickReplyOption("Menu", null, "menu")])])), CancellationToken.None);
            }

            await using var retry = await stores.Turns.ClaimTurnAsync(messageId, ConversationKey, "1920000000000000001", CancellationToken.None);

            Assert.Multiple(() =>
            {
                Assert.That(retry!.Turn.State, Is.EqualTo(TurnState.Received));
                Assert.That(retry.Turn.Answer, Is.Null);
                Assert.That(retry.Turn.Welcome?.Replies.Select(r => (r.Text, r.QuickReplies!.Single())),
                    Is.EqualTo(new[] { ("Welcome!", new QuickReplyOption("Menu", null, "menu")) }));
            });
        }
    }
}
