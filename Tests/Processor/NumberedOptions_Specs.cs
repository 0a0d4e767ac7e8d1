using System.Text.Json.Nodes;
using MassTransit.Testing;
using TwitterBot.Processor.Conversations.Saga;
using TwitterBot.Processor.Replies;
using TwitterBot.Conventions.Ids;
using TwitterBot.Tests.Support;

namespace TwitterBot.Tests.Processor;

/// <summary>
/// Options on X DM v2, which has no quick replies: sent as a numbered list within X's text limit, and a user's next
/// DM that is one of those numbers, or an option's exact label, picks it like a v1.1 quick-reply pick.
/// </summary>
public static class NumberedOptions_Specs
{
    private static readonly IReadOnlyList<QuickReplyOption> TeaOrCoffee =
        [new QuickReplyOption("Tea", null, null), new QuickReplyOption("Coffee", null, "COFFEE")];

    public class When_a_users_answer_is_read_against_the_options_offered
    {
        [TestCase("2")]
        [TestCase("2.")]
        [TestCase(" 2 ")]
        [TestCase("2)")]
        [TestCase("Coffee")]
        [TestCase("  cOFFEE ")]
        public void Should_pick_the_option_it_names(string answer) =>
            Assert.That(NumberedOptions.Picked(answer, TeaOrCoffee), Is.EqualTo(TeaOrCoffee[1]));

        [TestCase("3")]
        [TestCase("0")]
        [TestCase("-1")]
        [TestCase("+2")]
        [TestCase("2 please")]
        [TestCase("Coffee!")]
        [TestCase("")]
        public void Should_pick_nothing_for_anything_else(string answer) =>
            Assert.That(NumberedOptions.Picked(answer, TeaOrCoffee), Is.Null);

        [Test]
        public void Should_pick_nothing_when_nothing_was_offered() =>
            Assert.That(NumberedOptions.Picked("1", []), Is.Null);
    }

    public class When_the_text_leaves_too_little_room_for_the_list
    {
        [Test]
        public void Should_list_and_offer_only_the_options_that_fit_within_the_limit()
        {
            // The text, a blank line, "1. Tea" and a line break leave 9 characters: "2. Coffee" fits exactly, "3. Water" does not.
            var text = new string('a', ReplyPlanner.MaxTextLength - "\n\n1. Tea\n2. Coffee".Length);
            var reply = new PlannedReply(text, [.. TeaOrCoffee, new QuickReplyOption("Water", null, "WATER")]);

            var rendered = NumberedOptions.Render(reply, reply.Text);

            Assert.Multiple(() =>
            {
                Assert.That(NumberedOptions.Listed(reply), Is.EqualTo(TeaOrCoffee));
                Assert.That(rendered, Has.Length.EqualTo(ReplyPlanner.MaxTextLength));
                Assert.That(rendered, Does.EndWith("\n\n1. Tea\n2. Coffee"));
            });
        }

        [Test]
        public void Should_reserve_room_for_the_media_link_a_failed_upload_adds()
        {
            var text = new string('a', ReplyPlanner.MaxTextLength - "\n\n1. Tea".Length);
            var reply = new PlannedReply(text, TeaOrCoffee, MediaUrl: "https://example.com/cat.png");

            Assert.That(NumberedOptions.Listed(reply), Is.Empty);
            Assert.That(NumberedOptions.Render(reply, reply.TextWithLink), Is.EqualTo(reply.TextWithLink));
        }
    }

    public class When_a_conversation_on_X_API_v2_answers_the_options_offered
    {
        private const string Sender = "3001969357";
        private static readonly TimeSpan Patience = TimeSpan.FromSeconds(30);

        private static async Task<ProcessorHarness> StartAsync(string offer = "Tea or coffee?")
        {
            var processor = await ProcessorHarness.StartAsync(settings => settings["TwitterBot:Api:Version"] = "2", new ManualTime());
            processor.Gateway.Reactions = text => text == "a drink please"
                ? new JsonArray(new JsonObject { ["text"] = offer, ["quick_replies"] = JsonNode.Parse("""["Tea",{"title":"Coffee","payload":"COFFEE"}]""") })
                : JsonNode.Parse("""[{"text":"Enjoy"}]""")!.AsArray();
            return processor;
        }

        private static async Task AnswerAsync(ProcessorHarness processor, params string[] texts)
        {
            for (var i = 0; i < texts.Length; i++)
            {
                await processor.PublishAsync($"19700000000000000{i:D2}", texts[i], Sender);
                await processor.WaitForAnsweredAsync(i + 1, Patience);
            }
        }

        private static (string Text, string? Metadata) Asked(ProcessorHarness processor, int index)
        {
            var request = processor.Gateway.Requests.ElementAt(index);
            return (request["text"]!.GetValue<string>(), request["extra_data"]?["twitter_quick_reply_metadata"]?.GetValue<string>());
        }

        [Test]
        public async Task Should_send_a_number_to_the_gateway_as_that_options_pick()
        {
            await using var processor = await StartAsync();

            await AnswerAsync(processor, "a drink please", "2.");

            Assert.That(Asked(processor, 1), Is.EqualTo(("Coffee", (string?)"COFFEE")));
        }

        [Test]
        public async Task Should_send_the_exact_label_as_that_options_pick()
        {
            await using var processor = await StartAsync();

            await AnswerAsync(processor, "a drink please", "tea");

            Assert.That(Asked(processor, 1), Is.EqualTo(("Tea", (string?)null)), "Tea has no payload: its label is what a v1.1 pick sends");
        }

        [Test]
        public async Task Should_not_map_a_number_once_another_DM_came_between()
        {
            await using var processor = await StartAsync();

            await AnswerAsync(processor, "a drink please", "maybe later", "2");

            Assert.Multiple(() =>
            {
                Assert.That(Asked(processor, 1), Is.EqualTo(("maybe later", (string?)null)));
                Assert.That(Asked(processor, 2), Is.EqualTo(("2", (string?)null)));
            });
        }

        [Test]
        public async Task Should_not_offer_what_the_text_limit_left_out_of_the_list()
        {
            await using var processor = await StartAsync(offer: new string('a', ReplyPlanner.MaxTextLength - "\n\n1. Tea".Length));

            await AnswerAsync(processor, "a drink please", "2");

            var saga = processor.Conversations.Sagas.ContainsInState(
                ConversationIds.For(ConversationKeys.For(TestCredentials.BotUserId, Sender)), processor.Conversations.StateMachine, processor.Conversations.StateMachine.Active);
            Assert.Multiple(() =>
            {
                Assert.That(processor.X.Attempts.First().Text, Does.EndWith("\n\n1. Tea"));
                Assert.That(Asked(processor, 1), Is.EqualTo(("2", (string?)null)), "the user never saw a 2");
                Assert.That(saga!.OptionsOffered, Is.Empty, "the answer to 2 offered nothing");
            });
        }
    }
}
