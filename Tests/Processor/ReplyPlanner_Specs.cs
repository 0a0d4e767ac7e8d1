using System.Globalization;
using System.Text.Json;
using TwitterBot.Processor.Clients.Gateway;
using TwitterBot.Processor.Conversations;
using TwitterBot.Processor.Replies;

namespace TwitterBot.Tests.Processor;

/// <summary>How the gateway's answer becomes DMs within X's limits.</summary>
public static class ReplyPlanner_Specs
{
    private static IReadOnlyList<PlannedReply> Plan(string answerJson) => Answer(answerJson).Replies;

    private static PlannedAnswer Answer(string answerJson) =>
        ReplyPlanner.Plan(GatewayAnswers.Read(JsonDocument.Parse(answerJson).RootElement).Answer);

    public class When_the_gateway_answers_with_several_reactions
    {
        [Test]
        public void Should_plan_one_DM_per_reaction_in_order() =>
            Assert.That(Plan("""{"responses":[{"text":"Hello!"},{"text":"How can I help?"},{"text":""}]}""").Select(r => r.Text),
                Is.EqualTo(new[] { "Hello!", "How can I help?" }));

        [Test]
        public void Should_ignore_fields_it_does_not_know() =>
            Assert.That(Plan("""{"current_state":{"id":"x"},"responses":[{"text":"Hi","tags":[],"unknown":{"a":1}}],"used_states":[]}""").Single().Text, Is.EqualTo("Hi"));
    }

    public class When_a_text_is_longer_than_X_allows
    {
        [Test]
        public void Should_split_it_at_whitespace_into_DMs_of_at_most_10000_characters()
        {
            var words = string.Join(' ', Enumerable.Repeat("word", 5000)); // 24,999 characters
            var replies = Plan(JsonSerializer.Serialize(new { responses = new[] { new { text = words } } }));

            Assert.That(replies, Has.Count.EqualTo(3));
            Assert.That(replies.Select(r => r.Text.Length), Has.All.LessThanOrEqualTo(10_000));
            Assert.That(string.Join(' ', replies.Select(r => r.Text)), Is.EqualTo(words));
        }
    }

    public class When_the_bot_offers_quick_replies
    {
        [Test]
        public void Should_read_plain_strings_and_objects_from_either_spelling()
        {
            var snake = Plan("""{"responses":[{"text":"Pick one","quick_replies":["Yes",{"title":"No","payload":"NO"}]}]}""").Single();
            var camel = Plan("""{"responses":[{"text":"Pick one","quickReplies":[{"label":"Maybe","value":"M"}]}]}""").Single();

            Assert.That(snake.QuickReplies, Is.EqualTo(new[] { new QuickReplyOption("Yes", null, null), new QuickReplyOption("No", null, "NO") }));
            Assert.That(camel.QuickReplies, Is.EqualTo(new[] { new QuickReplyOption("Maybe", null, "M") }));
        }

        [Test]
        public void Should_keep_X_limits_of_20_options_and_field_lengths()
        {
            var options = Enumerable.Range(1, 25).Select(i => new { text = $"{new string('L', 40)}{i}", description = new string('D', 80), payload = new string('M', 1200) });
            var reply = Plan(JsonSerializer.Serialize(new { responses = new[] { new { text = "Pick", quick_replies = options } } })).Single();

            Assert.That(reply.QuickReplies, Has.Count.EqualTo(20));
            Assert.That(reply.QuickReplies!.Select(o => (o.Label.Length, o.Description!.Length, o.Metadata!.Length)), Has.All.EqualTo((36, 72, 1000)));
        }

        [Test]
        public void Should_drop_every_description_when_some_options_have_none() =>
            Assert.That(Plan("""{"responses":[{"text":"Pick","quick_replies":[{"text":"A","description":"first"},{"text":"B"}]}]}""").Single().QuickReplies!
                .Select(o => o.Description), Is.All.Null);

        [Test]
        public void Should_put_the_options_on_the_last_DM_of_a_split_text()
        {
            var long_text = string.Join(' ', Enumerable.Repeat("word", 3000));
            var replies = Plan(JsonSerializer.Serialize(new { responses = new[] { new { text = long_text, quick_replies = new[] { "Yes" } } } }));

            Assert.That(replies.Select(r => r.QuickReplies is null), Is.EqualTo(new[] { true, false }));
        }

        [Test]
        public void Should_give_options_without_text_a_prompt_since_X_requires_one() =>
            Assert.That(Plan("""{"responses":[{"text":"","quick_replies":["Yes"]}]}""").Single().Text, Is.EqualTo(ReplyPlanner.OptionsOnlyText));
    }

    public class When_the_bot_attaches_media
    {
        [Test]
        public void Should_attach_the_first_to_the_text_send_others_alone_and_skip_what_it_cannot_render() =>
            Assert.That(Plan("""{"responses":[{"text":"Look","attachments":[{"type":"image","url":"https://example.com/a.png"},{"type":"card"},"odd",{"url":"not a url"},{"url":"https://example.com/b.gif"}]}]}""")
                .Select(r => (r.Text, r.MediaUrl)), Is.EqualTo(new[] { ("Look", "https://example.com/a.png"), ("", "https://example.com/b.gif") }));

        [Test]
        public void Should_send_the_link_with_the_text_when_the_media_cannot_be_attached() =>
            Assert.That(new PlannedReply("Look", MediaUrl: "https://example.com/a.png").TextWithLink, Is.EqualTo("Look\nhttps://example.com/a.png"));
    }

    public class When_the_bot_ends_the_conversation_or_hands_it_over
    {
        [TestCase(ConversationSignal.Ended)]
        [TestCase(ConversationSignal.HandedOver)]
        public void Should_keep_the_signal_with_the_planned_replies(ConversationSignal signal) =>
            Assert.That(ReplyPlanner.Plan(new BotAnswer([new BotMessage("Bye!", [], [])], signal)),
                Has.Property(nameof(PlannedAnswer.Signal)).EqualTo(signal).And.Property(nameof(PlannedAnswer.Replies)).Count.EqualTo(1));
    }

    public class When_the_gateway_answers_with_entries_it_cannot_use
    {
        [Test]
        public void Should_skip_null_and_odd_entries_and_plan_the_rest() =>
            Assert.That(Plan("""
                {"responses":[null,"odd",7,{"text":5,"quick_replies":["A"]},{"text":{"a":1}},{"text":"ok","quick_replies":"yes","attachments":"x"},
                  {"text":"two","quick_replies":[null,5,"B",{"title":7},{"title":"C","payload":9}],"attachments":[null,{"url":7},{"url":"https://example.com/c.png"}]}]}
                """).Select(r => (r.Text, Options: r.QuickReplies?.Select(o => o.Label).ToArray(), r.MediaUrl)),
                Is.EqualTo(new (string, string[]?, string?)[]
                {
                    (ReplyPlanner.OptionsOnlyText, ["A"], null),
                    ("ok", null, null),
                    ("two", ["B", "C"], "https://example.com/c.png"),
                }));

        [TestCase("""{"responses":null}""")]
        [TestCase("""{"responses":{"text":"not a list"}}""")]
        [TestCase("""{"current_state":"say","responses":[null]}""")]
        [TestCase("""{"current_state":{"id":1,"name":["end"]},"responses":[]}""")]
        public void Should_plan_nothing_rather_than_fail_when_nothing_is_usable(string answer) =>
            Assert.That(Answer(answer), Has.Property(nameof(PlannedAnswer.Replies)).Empty.And.Property(nameof(PlannedAnswer.Signal)).EqualTo(ConversationSignal.None));
    }

    public class When_an_attachment_URL_is_not_an_absolute_web_address
    {
        [TestCase("file:///etc/passwd")]
        [TestCase("data:image/png;base64,iVBORw0KGgo=")]
        [TestCase("/media/cat.png")]
        [TestCase("media/cat.png")]
        [TestCase("//evil.example/cat.png")]
        [TestCase("ftp://example.com/cat.png")]
        [TestCase("https://user:secret@example.com/cat.png")]
        [TestCase("javascript:alert(1)")]
        public void Should_not_plan_it_as_media_nor_show_it(string url) =>
            Assert.That(Plan(JsonSerializer.Serialize(new { responses = new[] { new { text = "Look", attachments = new[] { new { url } } } } }))
                .Select(r => (r.Text, r.MediaUrl)), Is.EqualTo(new[] { ("Look", (string?)null) }));

        [TestCase("https://example.com/cat.png")]
        [TestCase("http://example.com/cat.png?size=large")]
        public void Should_plan_an_http_or_https_URL(string url) =>
            Assert.That(Plan(JsonSerializer.Serialize(new { responses = new[] { new { text = "Look", attachments = new[] { new { url } } } } })).Single().MediaUrl,
                Is.EqualTo(url));
    }

    public class When_a_cut_falls_inside_a_character_a_person_sees_as_one
    {
        // Each cluster is several UTF-16 units; placed so that X's limit falls inside it.
        private const string ThumbsUpMediumSkin = "\U0001F44D\U0001F3FD"; // 4 units
        private const string Family = "\U0001F468\u200D\U0001F469\u200D\U0001F467"; // 8 units, ZWJ sequence
        private const string FlagOfFrance = "\U0001F1EB\U0001F1F7"; // 4 units, regional indicators
        private const string ECombiningAcute = "e\u0301\u0301"; // 3 units, combining marks
        private const string Pile = "\U0001F4A9"; // 2 units, one surrogate pair

        private static IEnumerable<string> Clusters() => [ThumbsUpMediumSkin, Family, FlagOfFrance, ECombiningAcute, Pile];

        [TestCaseSource(nameof(Clusters))]
        public void Should_split_a_long_text_at_a_grapheme_boundary(string cluster)
        {
            var text = new string('a', ReplyPlanner.MaxTextLength - 1) + cluster + "bbb";

            var chunks = ReplyPlanner.Split(text);

            Assert.That(chunks, Is.EqualTo(new[] { new string('a', ReplyPlanner.MaxTextLength - 1), cluster + "bbb" }));
        }

        [TestCaseSource(nameof(Clusters))]
        public void Should_split_a_text_of_clusters_only_into_whole_clusters(string cluster)
        {
            // "zz" first puts X's limit inside a cluster for each of them.
            var text = "zz" + string.Concat(Enumerable.Repeat("x" + cluster, 2 * ReplyPlanner.MaxTextLength / (1 + cluster.Length)));
            var boundaries = StringInfo.ParseCombiningCharacters(text).ToHashSet();

            var chunks = ReplyPlanner.Split(text);
            var cuts = chunks.Select((_, i) => chunks.Take(i + 1).Sum(c => c.Length)).SkipLast(1);

            Assert.That(string.Concat(chunks), Is.EqualTo(text));
            Assert.That(chunks.Select(c => c.Length), Has.All.LessThanOrEqualTo(ReplyPlanner.MaxTextLength));
            Assert.That(cuts, Is.SubsetOf(boundaries));
        }

        [TestCaseSource(nameof(Clusters))]
        public void Should_cut_quick_reply_fields_before_the_cluster(string cluster)
        {
            var option = new
            {
                title = new string('L', ReplyPlanner.MaxLabelLength - 1) + cluster,
                description = new string('D', ReplyPlanner.MaxDescriptionLength - 1) + cluster,
                payload = new string('M', ReplyPlanner.MaxMetadataLength - 1) + cluster,
            };
            var reply = Plan(JsonSerializer.Serialize(new { responses = new[] { new { text = "Pick", quick_replies = new[] { option } } } })).Single();

            Assert.That(reply.QuickReplies!.Single(), Is.EqualTo(new QuickReplyOption(
                new string('L', ReplyPlanner.MaxLabelLength - 1), new string('D', ReplyPlanner.MaxDescriptionLength - 1), new string('M', ReplyPlanner.MaxMetadataLength - 1))));
        }

        [TestCaseSource(nameof(Clusters))]
        public void Should_keep_a_cluster_that_ends_exactly_at_the_limit(string cluster)
        {
            var label = new string('L', ReplyPlanner.MaxLabelLength - cluster.Length) + cluster;
            var reply = Plan(JsonSerializer.Serialize(new { responses = new[] { new { text = "Pick", quick_replies = new[] { label } } } })).Single();

            Assert.That(reply.QuickReplies!.Single().Label, Is.EqualTo(label));
        }
    }
}
