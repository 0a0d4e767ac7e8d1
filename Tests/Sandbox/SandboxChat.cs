using System.Globalization;
using TwitterBot.Processor.XChat.Protocol;
using TwitterBot.Simulators;

namespace TwitterBot.Sandbox;

/// <summary>
/// Plays X and the chatbot platform for the real Ingress and Processor: X's API (which the Processor
/// reconciles its webhook with and replies through) and the demo bot's gateway; then lets a person chat
/// as a simulated X user. Each line typed becomes a signed webhook delivery; each DM the bot sends is shown.
/// In XChat mode the user is an XChat user: each line is sealed and signed (<c>chat.received</c>), and each reply is
/// shown once the simulated X has verified and decrypted it.
/// </summary>
public static class SandboxChat
{
    private static readonly SimulatedUser You = new("3001969357", "Sandbox User", "sandbox_user");

    /// <param name="stopping">Ctrl-C or SIGTERM: stop at once, whatever is being waited for.</param>
    public static async Task<int> RunAsync(SandboxSettings settings, TextReader input, TextWriter output, CancellationToken stopping = default)
    {
        try
        {
            await ChatAsync(settings, input, output, stopping);
        }
        catch (OperationCanceledException) when (stopping.IsCancellationRequested)
        {
            await output.WriteLineAsync("(stopped)");
        }

        return 0;
    }

    private static async Task ChatAsync(SandboxSettings settings, TextReader input, TextWriter output, CancellationToken stopping)
    {
        await using var x = new FakeXApi(settings.App);
        await x.StartAsync(settings.XUrl);
        await using var gateway = new FakeGateway();
        gateway.Reactions = text => DemoBot.React(text, gateway);
        await gateway.StartAsync(settings.GatewayUrl);
        using var sender = new XWebhookSender(settings.WebhookUrl, settings.App)
        {
            RetrySchedule = [TimeSpan.FromSeconds(1), TimeSpan.FromSeconds(2), TimeSpan.FromSeconds(4)],
        };

        // Like X, every DM the account sends is echoed to the webhook: the bot's, and the brand's (/brand).
        x.EchoTo = body => sender.DeliverAsync("echo", body, stopping);
        await output.WriteLineAsync($"X simulator on {settings.XUrl}, demo gateway on {settings.GatewayUrl}. Waiting for the Processor to register the webhook …");
        await WaitForSubscriptionAsync(x, settings, output, stopping);

        if (settings.XChatBotKeys is { } botKeys)
        {
            await ChatOverXChatAsync(settings, botKeys, x, sender, input, output, stopping);
            return;
        }

        IReadOnlyList<string> options = [];
        using var stop = CancellationTokenSource.CreateLinkedTokenSource(stopping);
        var replies = Task.Run(async () =>
        {
            await foreach (var dm in x.Accepted.ReadAllAsync(stop.Token))
            {
                options = dm.QuickReplies ?? [];
                await output.WriteLineAsync($"bot> {dm.Text}{(dm.MediaId is null ? "" : $"  [image attached, media {dm.MediaId}]")}");
                for (var i = 0; i < options.Count; i++)
                {
                    await output.WriteLineAsync($"     {i + 1}) {options[i]}");
                }
            }
        }, stop.Token);

        await output.WriteLineAsync("Chat as @sandbox_user (type a number to pick a quick reply, /brand <text> to answer as a person at the brand in the X app, Ctrl-D or Ctrl-C to stop). Try: menu");
        var eventId = DateTimeOffset.UtcNow.ToUnixTimeMilliseconds() * 1000;
        while (await ReadLineAsync(input, stopping) is { } line)
        {
            if (line.Trim().Length == 0)
            {
                continue;
            }

            if (line.StartsWith("/brand ", StringComparison.Ordinal))
            {
                await x.AnswerAsBrandAsync(You.UserId, line["/brand ".Length..].Trim());
                await output.WriteLineAsync("(sent as the brand from the X app: the bot leaves this conversation to you for Processor:Conversations:HumanPause)");
                continue;
            }

            var picked = int.TryParse(line.Trim(), NumberStyles.None, CultureInfo.InvariantCulture, out var number) && number >= 1 && number <= options.Count ? options[number - 1] : null;
            var id = (++eventId).ToString(CultureInfo.InvariantCulture);
            var body = settings.ActivityApi
                ? XActivityDeliveries.DirectMessage(settings.App.Bot.UserId, $"-{id}", id, You, picked ?? line)
                : XWebhookSender.DirectMessage(settings.App.Bot.UserId, id, You, picked ?? line, quickReplyMetadata: picked);
            if (!await sender.DeliverAsync(id, body, stopping))
            {
                await output.WriteLineAsync($"(the Ingress at {settings.WebhookUrl} did not accept the DM; X would give up here: {sender.Attempts.Last().Failure ?? sender.Attempts.Last().Status.ToString()})");
            }
        }

        // Input ended (Ctrl-D, or a script's last line): show the replies still on their way.
        for (var shown = -1; shown != x.Attempts.Count;)
        {
            shown = x.Attempts.Count;
            await Task.Delay(TimeSpan.FromSeconds(3), stopping);
        }

        await stop.CancelAsync();
        await replies.ContinueWith(_ => { }, TaskScheduler.Default);
    }

    private static async Task ChatOverXChatAsync(
        SandboxSettings settings, string botKeys, FakeXApi x, XWebhookSender sender, TextReader input, TextWriter output, CancellationToken stopping)
    {
        var bot = settings.App.Bot.UserId;
        using (var keys = XChatKeyPair.Import(botKeys, settings.XChatKeyVersion))
        {
            x.RegisterPublicKey(bot, FakePublicKey.Of(keys, bot));
        }

        using var user = new FakeChatUser(x, You.UserId, bot);
        user.ChangeKey();
        using var stop = CancellationTokenSource.CreateLinkedTokenSource(stopping);
        var replies = Task.Run(async () =>
        {
            await foreach (var reply in x.ChatAccepted.ReadAllAsync(stop.Token))
            {
                await output.WriteLineAsync($"bot> {reply.Text}  [XChat: verified, key {reply.ConversationKeyVersion}]");
            }
        }, stop.Token);

        await output.WriteLineAsync($"Chat as @sandbox_user over XChat, conversation {user.ConversationId} (type a number to pick an option, Ctrl-D or Ctrl-C to stop). Try: menu");
        var first = true;
        while (await ReadLineAsync(input, stopping) is { } line)
        {
            if (line.Trim().Length == 0)
            {
                continue;
            }

            var uuid = Guid.NewGuid().ToString();
            if (!await sender.DeliverAsync(uuid, user.Delivery(uuid, user.Seal(line), attachKeyChange: first), stopping))
            {
                await output.WriteLineAsync($"(the Ingress at {settings.WebhookUrl} did not accept the message; X would give up here: {sender.Attempts.Last().Failure ?? sender.Attempts.Last().Status.ToString()})");
            }

            first = false;
        }

        for (var shown = -1; shown != x.ChatReplies.Count;)
        {
            shown = x.ChatReplies.Count;
            await Task.Delay(TimeSpan.FromSeconds(3), stopping);
        }

        await stop.CancelAsync();
        await replies.ContinueWith(_ => { }, TaskScheduler.Default);
    }

    /// <summary>
    /// Console.In reads synchronously whatever its async API promises, so a stop could not interrupt it: the
    /// read runs on the pool and the chat stops waiting for it when asked to stop.
    /// </summary>
    private static Task<string?> ReadLineAsync(TextReader input, CancellationToken stopping) =>
        Task.Run(input.ReadLine, CancellationToken.None).WaitAsync(stopping);

    private static async Task WaitForSubscriptionAsync(FakeXApi x, SandboxSettings settings, TextWriter output, CancellationToken stopping)
    {
        var since = DateTimeOffset.UtcNow;
        if (settings.ActivityApi)
        {
            // XChat mode: chat.received too, so that the line below shows the bot subscribed to XChat.
            string[] needed = settings.XChatBotKeys is null ? ["dm.received"] : ["dm.received", "chat.received"];
            while (!needed.All(type => x.ActivitySubscriptions.Values.Any(s => s.UserId == settings.App.Bot.UserId && s.EventType == type && s.WebhookId is not null)))
            {
                if (DateTimeOffset.UtcNow - since > TimeSpan.FromMinutes(2))
                {
                    await output.WriteLineAsync("The Processor has not created the bot's X Activity subscriptions after 2 minutes; DMs are delivered anyway (check the Processor's log).");
                    return;
                }

                await Task.Delay(TimeSpan.FromMilliseconds(200), stopping);
            }

            var subscribed = x.ActivitySubscriptions.Values.Where(s => s.UserId == settings.App.Bot.UserId).OrderBy(s => s.EventType, StringComparer.Ordinal).ToList();
            await output.WriteLineAsync($"X Activity API: webhook {subscribed[0].WebhookId} registered through X's CRC challenge, bot {settings.App.Bot.UserId} subscribed to "
                + string.Join(", ", subscribed.Select(s => $"{s.EventType} ({s.Tag})")) + ".");
            return;
        }

        while (!x.Subscriptions.Values.Any(users => users.ContainsKey(settings.App.Bot.UserId)))
        {
            if (DateTimeOffset.UtcNow - since > TimeSpan.FromMinutes(2))
            {
                await output.WriteLineAsync("The Processor has not subscribed the bot after 2 minutes; DMs are delivered anyway (check the Processor's log).");
                return;
            }

            await Task.Delay(TimeSpan.FromMilliseconds(200), stopping);
        }

        var webhook = x.Webhooks[x.Subscriptions.First(subscribed => subscribed.Value.ContainsKey(settings.App.Bot.UserId)).Key];
        await output.WriteLineAsync($"Webhook {webhook.Id} for {webhook.Url} registered through X's CRC challenge, bot {settings.App.Bot.UserId} subscribed.");
    }
}
