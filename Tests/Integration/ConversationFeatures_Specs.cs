using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Http;
using TwitterBot.Contracts;
using TwitterBot.Processor.Clients.X;
using TwitterBot.Tests.Support;

namespace TwitterBot.Tests.Integration;

/// <summary>What a conversation looks like on X, end to end on the real broker and store.</summary>
[Category("Integration")]
public static class ConversationFeatures_Specs
{
    private static readonly TimeSpan Patience = ConversationRig.Patience;

    public class When_the_bot_offers_quick_replies
    {
        [Test]
        public async Task Should_send_them_as_X_quick_reply_options()
        {
            await using var rig = await ConversationRig.StartAsync();
            rig.Gateway.Reactions = _ => JsonNode.Parse("""[{"text":"Tea or coffee?","quick_replies":["Tea",{"title":"Coffee","payload":"COFFEE"}]}]""")!.AsArray();
            await rig.StartProcessorAsync();

            await rig.PostAsync("1870000000000000001", "a drink please");

            var sent = await rig.X.WaitForDirectMessagesAsync(1, Patience);
            Assert.That(sent.Single(), Is.EqualTo(new SentDirectMessage(TestCredentials.BotAccessToken, "3001969357", "Tea or coffee?", ["Tea", "Coffee"])));
        }
    }

    public class When_a_conversation_begins_a_new_gateway_session
    {
        [Test]
        public async Task Should_send_START_first_and_then_the_users_text_but_not_within_the_session()
        {
            await using var rig = await ConversationRig.StartAsync();
            rig.Settings["Gateway:SendStartOnNewSession"] = "true";
            rig.Gateway.Answer = text => text == "START" ? ["Welcome!"] : [$"You said: {text}"];
            await rig.StartProcessorAsync();

            await rig.PostAsync("1870000000000000101", "first");
            await rig.X.WaitForDirectMessagesAsync(2, Patience);
            await rig.PostAsync("1870000000000000102", "second");
            var sent = await rig.X.WaitForDirectMessagesAsync(3, Patience);

            Assert.That(rig.Gateway.AskedTexts, Is.EqualTo(new[] { "START", "first", "second" }));
            Assert.That(sent.Select(dm => dm.Text), Is.EqualTo(new[] { "Welcome!", "You said: first", "You said: second" }));
        }
    }

    public class When_a_conversation_is_older_than_its_saga
    {
        [Test]
        public async Task Should_continue_its_gateway_session_without_START()
        {
            await using var rig = await ConversationRig.StartAsync();
            rig.Settings["Gateway:SendStartOnNewSession"] = "true";
            rig.Gateway.Answer = text => text == "START" ? ["Welcome!"] : [$"You said: {text}"];
            await rig.StartProcessorAsync();
            await rig.PostAsync("1870000000000000111", "first");
            await rig.X.WaitForDirectMessagesAsync(2, Patience);

            // As after an upgrade from a version without the saga: the ledger has the conversation's turns, no saga has it.
            // The saga is saved once its turn is over, right after the replies went out.
            await using (var connection = new Npgsql.NpgsqlConnection(rig.Store.ConnectionString))
            {
                await connection.OpenAsync();
                await using var forget = new Npgsql.NpgsqlCommand("DELETE FROM conversations", connection);
                using var patience = new CancellationTokenSource(Patience);
                while (await forget.ExecuteNonQueryAsync(patience.Token) == 0)
                {
                    await Task.Delay(TimeSpan.FromMilliseconds(20), patience.Token);
                }
            }

            await rig.PostAsync("1870000000000000112", "second");
            var sent = await rig.X.WaitForDirectMessagesAsync(3, Patience);

            Assert.That(rig.Gateway.AskedTexts, Is.EqualTo(new[] { "START", "first", "second" }));
            Assert.That(sent.Select(dm => dm.Text), Is.EqualTo(new[] { "Welcome!", "You said: first", "You said: second" }));
        }
    }

    public class When_the_bot_hands_the_conversation_over_to_an_agent
    {
        [Test]
        public async Task Should_reply_and_publish_ConversationHandedOver()
        {
            await using var rig = await ConversationRig.StartAsync();
            rig.Gateway.Reactions = _ => JsonNode.Parse("""[{"text":"Connecting you to a human","redirect":"agent"}]""")!.AsArray();
            var processor = await rig.StartProcessorAsync();
            var handovers = await processor.SubscribeAsync<ConversationHandedOver>();

            await rig.PostAsync("1870000000000000201", "I want a human");

            using var timeout = new CancellationTokenSource(Patience);
            var handedOver = await handovers.ReadAsync(timeout.Token);
            Assert.That((handedOver.UserId, handedOver.EventId, handedOver.BotId), Is.EqualTo(("3001969357", "1870000000000000201", TestCredentials.BotId)));
            Assert.That((await rig.X.WaitForDirectMessagesAsync(1, Patience)).Single().Text, Is.EqualTo("Connecting you to a human"));
        }
    }

    public class When_typing_indicators_and_read_receipts_are_on
    {
        [Test]
        public async Task Should_mark_the_message_read_and_show_typing_before_replying()
        {
            await using var rig = await ConversationRig.StartAsync();
            rig.Settings["Processor:Replies:TypingIndicator"] = "true";
            rig.Settings["Processor:Replies:MarkRead"] = "true";
            await rig.StartProcessorAsync();

            await rig.PostAsync("1870000000000000301", "hello");
            await rig.X.WaitForDirectMessagesAsync(1, Patience);

            Assert.That(rig.X.Signals, Is.EqualTo(new[]
            {
                "/1.1/direct_messages/mark_read.json?last_read_event_id=1870000000000000301&recipient_id=3001969357",
                "/1.1/direct_messages/indicate_typing.json?recipient_id=3001969357",
            }));
        }
    }

    public class When_replies_go_through_X_API_v2
    {
        [Test]
        public async Task Should_send_them_to_the_conversation_with_quick_replies_as_a_numbered_list()
        {
            await using var rig = await ConversationRig.StartAsync();
            rig.Settings["TwitterBot:Api:Version"] = "2";
            rig.Gateway.Reactions = _ => JsonNode.Parse("""[{"text":"Tea or coffee?","quick_replies":["Tea","Coffee"]}]""")!.AsArray();
            await rig.StartProcessorAsync();

            await rig.PostAsync("1870000000000000401", "a drink please");

            var sent = await rig.X.WaitForDirectMessagesAsync(1, Patience);
            Assert.That(sent.Single(), Is.EqualTo(new SentDirectMessage(TestCredentials.BotAccessToken, "3001969357", "Tea or coffee?\n\n1. Tea\n2. Coffee")));
            Assert.That(rig.X.RejectedRequests, Is.Empty);
        }
    }

    public class When_the_bot_attaches_a_picture
    {
        private static JsonArray CatPicture(ConversationRig rig) => new(new JsonObject
        {
            ["text"] = "Here is a cat",
            ["attachments"] = new JsonArray(new JsonObject { ["type"] = "image", ["url"] = rig.Gateway.CatPictureUrl.ToString() }),
        });

        [Test]
        public async Task Should_upload_it_to_X_in_chunks_and_attach_it_to_the_DM()
        {
            await using var rig = await ConversationRig.StartAsync();
            rig.Gateway.Reactions = _ => CatPicture(rig);
            await rig.StartProcessorAsync();

            await rig.PostAsync("1870000000000000501", "show me a cat");

            var sent = (await rig.X.WaitForDirectMessagesAsync(1, Patience)).Single();
            Assert.That(sent.Text, Is.EqualTo("Here is a cat"));
            Assert.That(rig.X.Media.TryGetValue(sent.MediaId ?? "", out var media), Is.True, "the DM carries a media id X processed");
            Assert.That(media.Category, Is.EqualTo("dm_image"));
            Assert.That(media.Bytes, Is.EqualTo(FakeGateway.CatPicture));
            Assert.That(rig.X.RejectedRequests, Is.Empty, "every upload step carried a valid OAuth 1.0a signature");
        }

        [Test]
        public async Task Should_send_the_link_instead_when_X_refuses_the_upload()
        {
            await using var rig = await ConversationRig.StartAsync();
            rig.X.RefuseUploads = true;
            rig.Gateway.Reactions = _ => CatPicture(rig);
            await rig.StartProcessorAsync();

            await rig.PostAsync("1870000000000000502", "show me a cat");

            var sent = (await rig.X.WaitForDirectMessagesAsync(1, Patience)).Single();
            Assert.That((sent.Text, sent.MediaId), Is.EqualTo(($"Here is a cat\n{rig.Gateway.CatPictureUrl}", (string?)null)));
        }
    }

    public class When_START_fails_for_a_new_session
    {
        [Test]
        public async Task Should_ask_START_again_but_the_users_text_only_once()
        {
            await using var rig = await ConversationRig.StartAsync();
            rig.Settings["Gateway:SendStartOnNewSession"] = "true";
            rig.Gateway.Answer = text => text == "START" ? ["Welcome!"] : [$"You said: {text}"];
            var failures = 1;
            rig.Gateway.Override = request => request["text"]!.GetValue<string>() == "START" && Interlocked.Decrement(ref failures) >= 0
                ? Results.StatusCode(StatusCodes.Status503ServiceUnavailable)
                : null;
            await rig.StartProcessorAsync();

            await rig.PostAsync("1870000000000000601", "first");
            var sent = await rig.X.WaitForDirectMessagesAsync(2, Patience);

            Assert.That(rig.Gateway.AskedTexts, Is.EqualTo(new[] { "START", "START", "first" }));
            Assert.That(sent.Select(dm => dm.Text), Is.EqualTo(new[] { "Welcome!", "You said: first" }));
        }
    }

    public class When_the_users_text_fails_after_the_welcome_was_planned
    {
        [Test]
        public async Task Should_reuse_the_stored_welcome_and_not_ask_START_again()
        {
            await using var rig = await ConversationRig.StartAsync();
            rig.Settings["Gateway:SendStartOnNewSession"] = "true";
            rig.Gateway.Answer = text => text == "START" ? ["Welcome!"] : [$"You said: {text}"];
            var failures = 1;
            rig.Gateway.Override = request => request["text"]!.GetValue<string>() == "first" && Interlocked.Decrement(ref failures) >= 0
                ? Results.StatusCode(StatusCodes.Status502BadGateway)
                : null;
            await rig.StartProcessorAsync();

            await rig.PostAsync("1870000000000000611", "first");
            await rig.X.WaitForDirectMessagesAsync(2, Patience);
            await rig.PostAsync("1870000000000000612", "second");
            var sent = await rig.X.WaitForDirectMessagesAsync(3, Patience);

            Assert.That(rig.Gateway.AskedTexts, Is.EqualTo(new[] { "START", "first", "first", "second" }), "the session was decided once: new");
            Assert.That(sent.Select(dm => dm.Text), Is.EqualTo(new[] { "Welcome!", "You said: first", "You said: second" }));
        }
    }

    public class When_the_bot_attaches_what_must_not_be_fetched
    {
        [Test]
        public async Task Should_send_the_text_alone_without_fault_and_go_on_with_the_conversation()
        {
            await using var rig = await ConversationRig.StartAsync();
            rig.Gateway.Reactions = text => text == "show me" ? JsonNode.Parse("""
                [{"text":"Look","attachments":[{"url":"file:///etc/passwd"},{"url":"data:image/png;base64,iVBORw0KGgo="},{"url":"//evil.example/a.png"},{"url":"/media/cat.png"}]}]
                """)!.AsArray() : new JsonArray(new JsonObject { ["text"] = $"You said: {text}" });
            await rig.StartProcessorAsync();

            await rig.PostAsync("1870000000000000701", "show me");
            await rig.X.WaitForDirectMessagesAsync(1, Patience);
            await rig.PostAsync("1870000000000000702", "next");
            var sent = await rig.X.WaitForDirectMessagesAsync(2, Patience);

            Assert.That(sent.Select(dm => (dm.Text, dm.MediaId)), Is.EqualTo(new[] { ("Look", (string?)null), ("You said: next", null) }));
            Assert.That(rig.X.Media, Is.Empty);
        }
    }

    public class When_an_attachment_download_does_not_end
    {
        private static JsonArray Picture(Uri url) => new(new JsonObject
        {
            ["text"] = "Here is a cat",
            ["attachments"] = new JsonArray(new JsonObject { ["type"] = "image", ["url"] = url.ToString() }),
        });

        [Test]
        public async Task Should_give_up_after_the_download_timeout_and_send_the_link()
        {
            await using var rig = await ConversationRig.StartAsync();
            rig.Settings["Processor:Replies:MediaDownloadTimeout"] = "00:00:01";
            rig.Gateway.Reactions = _ => Picture(rig.Gateway.StalledPictureUrl);
            await rig.StartProcessorAsync();

            await rig.PostAsync("1870000000000000801", "show me a cat");

            var sent = (await rig.X.WaitForDirectMessagesAsync(1, Patience)).Single();
            Assert.That((sent.Text, sent.MediaId), Is.EqualTo(($"Here is a cat\n{rig.Gateway.StalledPictureUrl}", (string?)null)));
        }

        [Test]
        public async Task Should_stop_reading_past_the_size_limit_without_a_Content_Length_and_send_the_link()
        {
            await using var rig = await ConversationRig.StartAsync();
            await using var media = new StreamingMediaServer();
            rig.Gateway.Reactions = _ => Picture(media.Url("endless.png"));
            await rig.StartProcessorAsync();

            await rig.PostAsync("1870000000000000811", "show me a cat");

            var sent = (await rig.X.WaitForDirectMessagesAsync(1, Patience)).Single();
            Assert.That((sent.Text, sent.MediaId), Is.EqualTo(($"Here is a cat\n{media.Url("endless.png")}", (string?)null)));
            Assert.That(media.BytesServed, Is.LessThan(2 * MediaDownloadClient.MaxBytes), "read up to the limit, not to the end");
        }
    }
}
