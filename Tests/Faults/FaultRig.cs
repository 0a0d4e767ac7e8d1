using System.Collections.Concurrent;
using System.Globalization;
using System.Security.Cryptography;
using TwitterBot.Benchmarks;
using TwitterBot.Processor.XChat.Protocol;
using TwitterBot.Tests.Support;

namespace TwitterBot.Tests.Faults;

/// <summary>How big a burst is: <c>TWITTERBOT_FAULTS_PROFILE=long</c> for the long run, short in CI.</summary>
public sealed record FaultProfile(int Users, int MessagesPerUser)
{
    public static FaultProfile Current { get; } =
        Environment.GetEnvironmentVariable("TWITTERBOT_FAULTS_PROFILE") == "long" ? new(20, 25) : new(4, 6);

    public int Total => Users * MessagesPerUser;
}

/// <summary>
/// The whole product for real, as OS processes: the Ingress and Processor(s) on a fresh RabbitMQ virtual
/// host (reached through a <see cref="TcpRelay"/>, so the broker can be taken away) and PostgreSQL database,
/// an echoing gateway and X (its API, and its webhook side delivering signed DMs and retrying like X on a
/// compressed schedule). A burst is several users each writing several DMs in order; the account says
/// whether every accepted DM was answered exactly once, in order.
/// </summary>
public sealed class FaultRig : IAsyncDisposable
{
    public static readonly TimeSpan Patience = TimeSpan.FromSeconds(120);

    private readonly int _ingressPort;
    private readonly List<ServiceProcess> _processors = [];
    /// <summary>Accepted DMs by X event id: a DM delivered again (duplicate, Replay) is still one DM.</summary>
    private readonly ConcurrentDictionary<string, (string UserId, int Index, string Text)> _accepted = new();
    /// <summary>The simulated XChat users of an XChat burst, by user index, each with its own keys and conversation key.</summary>
    private readonly ConcurrentDictionary<int, FakeChatUser> _chatUsers = new();
    private XChatKeyPair? _botKeys;

    private FaultRig(RabbitMqVirtualHost broker, PostgresDatabase store, TcpRelay relay, FakeGateway gateway, FakeXApi x, int ingressPort)
    {
        Broker = broker;
        Store = store;
        Relay = relay;
        Gateway = gateway;
        X = x;
        _ingressPort = ingressPort;
        Settings = TestSettings.Common(broker, store).UsingFakes(gateway, x);
        Settings["Messaging:Rabbit:Hosts:0"] = relay.Node;
        Settings["TwitterBot:WebhooksMessaging:MessageTimeout"] = "00:00:02";
        Sender = new XWebhookSender(new Uri($"http://127.0.0.1:{ingressPort}/webhooks"), SimulatedApp.Test)
        {
            // X's schedule (30 s, 1 min, 3 min), compressed, with more attempts to cover longer gaps.
            RetrySchedule = [.. new[] { 0.3, 0.6, 1, 2, 3, 5, 8, 8, 8, 8, 8, 8 }.Select(TimeSpan.FromSeconds)],
        };
    }

    public RabbitMqVirtualHost Broker { get; }

    public PostgresDatabase Store { get; }

    public TcpRelay Relay { get; }

    public FakeGateway Gateway { get; }

    public FakeXApi X { get; }

    public XWebhookSender Sender { get; }

    public Dictionary<string, string?> Settings { get; }

    public ServiceProcess? Ingress { get; private set; }

    public IReadOnlyList<ServiceProcess> Processors => _processors;

    public FaultProfile Profile { get; } = FaultProfile.Current;

    public int Accepted => _accepted.Count;

    /// <summary>The Processor's own PostgreSQL server, with <c>ownPostgres: true</c>: one a spec may stop and start again.</summary>
    public FaultsPostgres? OwnPostgres { get; private set; }

    /// <summary>How many DMs each user writes before a held burst waits (a third, at least one).</summary>
    public int MessagesBeforeHold => Math.Max(1, Profile.MessagesPerUser / 3);

    /// <param name="xchat">The bot speaks XChat: its key pair registered with the simulated X and configured as its secret.</param>
    /// <param name="ownPostgres">The Processor's store on a PostgreSQL server of the rig's own (<see cref="OwnPostgres"/>), not the shared one.</param>
    /// <param name="broker">A virtual host on another broker than the shared one (the cluster specs'), disposed with the rig.</param>
    /// <param name="hosts">The services' <c>Messaging:Rabbit:Hosts</c>, straight to these nodes instead of through <see cref="Relay"/>.</param>
    public static async Task<FaultRig> StartAsync(
        int processors = 1, bool xchat = false, bool ownPostgres = false, RabbitMqVirtualHost? broker = null, IReadOnlyList<string>? hosts = null)
    {
        broker ??= await RabbitMqVirtualHost.CreateAsync();
        var store = await PostgresDatabase.CreateAsync();
        var gateway = new FakeGateway();
        await gateway.StartAsync();
        var x = new FakeXApi();
        await x.StartAsync();
        var rig = new FaultRig(broker, store, new TcpRelay(RabbitMqVirtualHost.AmqpNode), gateway, x, ServiceProcess.FreePort());
        if (xchat)
        {
            rig.SpeakXChat();
        }

        if (ownPostgres)
        {
            rig.OwnPostgres = await FaultsPostgres.StartAsync();
            rig.Settings["Processor:Store:ConnectionString"] = rig.OwnPostgres.ConnectionString;
        }

        for (var i = 0; i < hosts?.Count; i++)
        {
            rig.Settings[$"Messaging:Rabbit:Hosts:{i}"] = hosts[i];
        }

        await rig.StartIngressAsync();
        for (var i = 0; i < processors; i++)
        {
            await rig.StartProcessorAsync();
        }

        return rig;
    }

    private void SpeakXChat()
    {
        _botKeys = XChatKeyPair.Generate("1");
        X.RegisterPublicKey(TestCredentials.BotUserId, FakePublicKey.Of(_botKeys, TestCredentials.BotUserId));
        Settings["TwitterBot:XChat:Enabled"] = "true";
        Settings["TwitterBot:XChat:ConversationKeysSecret"] = Convert.ToBase64String(RandomNumberGenerator.GetBytes(32));
        Settings["TwitterBot:XChat:Bots:0:UserId"] = TestCredentials.BotUserId;
        Settings["TwitterBot:XChat:Bots:0:PrivateKeysSecret"] = _botKeys.ExportBlob();
        Settings["TwitterBot:XChat:Bots:0:KeyVersion"] = _botKeys.KeyVersion;
    }

    public async Task StartIngressAsync()
    {
        Ingress = IngressProcess.Start(Settings, _ingressPort);
        await Ingress.WaitUntilReadyAsync(Patience);
    }

    public async Task RestartIngressAsync()
    {
        await KillIngressAsync();
        await StartIngressAsync();
    }

    /// <summary>SIGKILLs the Ingress; <see cref="StartIngressAsync"/> starts it again on its port.</summary>
    public async Task KillIngressAsync()
    {
        await Ingress!.KillAsync();
        await Ingress.DisposeAsync();
        Ingress = null;
    }

    public async Task<ServiceProcess> StartProcessorAsync()
    {
        var processor = ProcessorProcess.Start(Settings);
        _processors.Add(processor);
        await processor.WaitUntilReadyAsync(Patience);
        return processor;
    }

    public static string UserId(int user) => (3_000_000_000L + user).ToString(CultureInfo.InvariantCulture);

    public static string Text(int user, int index) => $"user {user} message {index}";

    /// <summary>Every user writes their DMs one after another (X delivers them in order); users write at once.</summary>
    /// <param name="deliveries">How many times X delivers each DM (2: duplicates).</param>
    /// <param name="rest">
    /// When given, a held burst: each user writes its first <see cref="MessagesBeforeHold"/> DMs, then waits for this
    /// before the rest, so a fault can be put in the middle of the burst whatever the machine's speed.
    /// </param>
    public Task SendBurstAsync(int deliveries = 1, Task? rest = null) =>
        Task.WhenAll(Enumerable.Range(0, Profile.Users).Select(async user =>
        {
            for (var index = 0; index < Profile.MessagesPerUser; index++)
            {
                if (index == MessagesBeforeHold && rest is not null)
                {
                    await rest;
                }

                var eventId = (1_990_000_000_000_000_000L + (user * 10_000L) + index).ToString(CultureInfo.InvariantCulture);
                var body = XWebhookSender.DirectMessage(TestCredentials.BotUserId, eventId, new SimulatedUser(UserId(user), $"User {user}", $"user{user}"), Text(user, index));
                var accepted = false;
                for (var delivery = 0; delivery < deliveries; delivery++)
                {
                    accepted |= await Sender.DeliverAsync(eventId, body);
                }

                if (accepted)
                {
                    _accepted[eventId] = (UserId(user), index, Text(user, index));
                }
            }
        }));

    /// <summary>
    /// Starts a held burst (<see cref="SendBurstAsync"/> with <c>rest</c>) and returns once every user's first
    /// <see cref="MessagesBeforeHold"/> DMs are accepted: a fault put there always falls in the middle of the burst,
    /// whatever the machine's speed; <see cref="HeldBurst.ReleaseAsync"/> lets the rest go and waits for the burst.
    /// </summary>
    public async Task<HeldBurst> SendBurstToMidwayAsync()
    {
        var rest = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var burst = SendBurstAsync(rest: rest.Task);
        await WaitUntilAcceptedAsync(Profile.Users * MessagesBeforeHold);
        return new HeldBurst(rest, burst);
    }

    /// <summary>The judgement of every scenario: nothing lost, nothing repeated, nothing out of order, nothing dead-lettered.</summary>
    public void AssertNothingLost(FaultAccount account)
    {
        Assert.That(account.Accepted, Is.EqualTo(Profile.Total), "every DM X delivered was accepted, at the latest on a retry");
        Assert.That(account.Answered, Is.EqualTo(account.Expected), "every accepted DM answered exactly once");
        Assert.That(account.Duplicates, Is.Zero, "no reply sent twice");
        Assert.That(account.OutOfOrder, Is.Zero, "replies in the order users wrote");
        Assert.That(account.DeadLetters, Is.Zero, "nothing in _error");
    }

    /// <summary>
    /// The XChat burst: every user (an XChat user with its own key pair, creating its own conversation key) writes
    /// its messages one after another, each sealed and signed, delivered as <c>chat.received</c> through the signed,
    /// retrying webhook sender; the first carries the key change, as X attaches it to the first message under a key.
    /// </summary>
    public Task SendChatBurstAsync() =>
        Task.WhenAll(Enumerable.Range(0, Profile.Users).Select(async user =>
        {
            var chatUser = _chatUsers.GetOrAdd(user, u => new FakeChatUser(X, UserId(u), TestCredentials.BotUserId));
            chatUser.ChangeKey();
            for (var index = 0; index < Profile.MessagesPerUser; index++)
            {
                var eventUuid = Guid.NewGuid().ToString();
                var body = chatUser.Delivery(eventUuid, chatUser.Seal(Text(user, index)), attachKeyChange: index == 0);
                if (await Sender.DeliverAsync(eventUuid, body))
                {
                    _accepted[eventUuid] = (UserId(user), index, Text(user, index));
                }
            }
        }));

    /// <summary>Waits (up to <see cref="Patience"/>) until the Ingress has accepted <paramref name="count"/> DMs.</summary>
    public Task WaitUntilAcceptedAsync(int count) => WaitUntilAsync(() => Accepted >= count);

    /// <summary>Waits for a condition, polling, with <see cref="Patience"/> as the safety net.</summary>
    public static Task WaitUntilAsync(Func<bool> condition) => WaitUntilAsync(() => Task.FromResult(condition()));

    /// <inheritdoc cref="WaitUntilAsync(Func{bool})"/>
    public static async Task WaitUntilAsync(Func<Task<bool>> condition)
    {
        using var deadline = new CancellationTokenSource(Patience);
        while (!await condition())
        {
            await Task.Delay(TimeSpan.FromMilliseconds(20), deadline.Token);
        }
    }

    /// <summary>X delivers every accepted DM again, as a Replay after an outage does.</summary>
    public Task ReplayAsync() => SendBurstAsync();

    /// <summary>Waits until the burst is answered (or patience runs out), then takes the account.</summary>
    public async Task<FaultAccount> AccountAsync(string scenario, IReadOnlySet<string>? refusedUsers = null)
    {
        refusedUsers ??= new HashSet<string>();
        var accepted = _accepted.Values.ToList();
        var expected = accepted.Count(a => !refusedUsers.Contains(a.UserId));
        try
        {
            await X.WaitForDirectMessagesAsync(expected, Patience);
        }
        catch (OperationCanceledException)
        {
            // The account below says what is missing.
        }

        await Task.Delay(TimeSpan.FromSeconds(1)); // anything sent twice would arrive now
        var sent = X.AllAccepted().ToList();
        var account = new FaultAccount(
            scenario,
            Accepted: accepted.Count,
            Expected: expected,
            Answered: accepted.Count(a => !refusedUsers.Contains(a.UserId) && sent.Count(s => s.RecipientId == a.UserId && s.Text == $"You said: {a.Text}") == 1),
            Duplicates: sent.GroupBy(s => (s.RecipientId, s.Text)).Sum(g => g.Count() - 1),
            OutOfOrder: sent.GroupBy(s => s.RecipientId).Count(g => !g.Select(s => s.Text).SequenceEqual(g.Select(s => s.Text).Order(NaturalOrder.Instance))),
            DeadLetters: await DeadLettersAsync(),
            Deliveries: Sender.Attempts.Count,
            RefusedByX: X.Attempts.Count(a => refusedUsers.Contains(a.RecipientId)));
        TestContext.Out.WriteLine(account);
        return account;
    }

    /// <summary>
    /// Waits until the XChat burst is answered (or patience runs out), then takes the account from what the simulated
    /// X verified (the bot's signature, with the keys X serves for it) and decrypted (with each user's conversation key).
    /// </summary>
    public async Task<FaultAccount> ChatAccountAsync(string scenario)
    {
        var accepted = _accepted.Values.ToList();
        try
        {
            await X.WaitForChatRepliesAsync(accepted.Count, Patience);
        }
        catch (OperationCanceledException)
        {
            // The account below says what is missing.
        }

        await Task.Delay(TimeSpan.FromSeconds(1)); // anything sent twice would arrive now
        var recipients = _chatUsers.Values.ToDictionary(u => u.ConversationId, u => u.UserId);
        var sent = X.ChatReplies.Select(r => (RecipientId: recipients.GetValueOrDefault(r.ConversationId, r.ConversationId), r.Text)).ToList();
        var account = new FaultAccount(
            scenario,
            Accepted: accepted.Count,
            Expected: accepted.Count,
            Answered: accepted.Count(a => sent.Count(s => s.RecipientId == a.UserId && s.Text == $"You said: {a.Text}") == 1),
            Duplicates: sent.GroupBy(s => s).Sum(g => g.Count() - 1),
            OutOfOrder: sent.GroupBy(s => s.RecipientId).Count(g => !g.Select(s => s.Text).SequenceEqual(g.Select(s => s.Text).Order(NaturalOrder.Instance))),
            DeadLetters: await DeadLettersAsync(),
            Deliveries: Sender.Attempts.Count,
            RefusedByX: X.RefusedChatSubmissions.Count,
            What: "XChat messages");
        TestContext.Out.WriteLine(account);
        return account;
    }

    private async Task<long> DeadLettersAsync()
    {
        long total = 0;
        foreach (var queue in TestSettings.PartitionQueues.Append(Conventions.Queues.DurableQueues.BotAccessRevoked))
        {
            total += await Broker.CountMessagesIfAnyAsync($"{queue}_error");
        }

        return total;
    }

    public async ValueTask DisposeAsync()
    {
        if (Ingress is not null)
        {
            await Ingress.DisposeAsync();
        }

        foreach (var processor in _processors)
        {
            await processor.DisposeAsync();
        }

        Sender.Dispose();
        await X.DisposeAsync();
        foreach (var chatUser in _chatUsers.Values)
        {
            chatUser.Dispose();
        }

        _botKeys?.Dispose();
        await Gateway.DisposeAsync();
        await Relay.DisposeAsync();
        await Broker.DisposeAsync();
        await Store.DisposeAsync();
        if (OwnPostgres is not null)
        {
            await OwnPostgres.DisposeAsync();
        }
    }

    /// <summary>Orders "user 1 message 10" after "user 1 message 9".</summary>
    private sealed class NaturalOrder : IComparer<string>
    {
        public static readonly NaturalOrder Instance = new();

        public int Compare(string? x, string? y) => Index(x).CompareTo(Index(y));

        private static int Index(string? text)
        {
            var words = text ?? "";
            return int.Parse(words[(words.LastIndexOf(' ') + 1)..], CultureInfo.InvariantCulture);
        }
    }
}

/// <summary>A burst held after its first part (<see cref="FaultRig.SendBurstToMidwayAsync"/>).</summary>
public sealed class HeldBurst(TaskCompletionSource rest, Task burst)
{
    /// <summary>Lets the rest of the burst go, without waiting for it.</summary>
    public void Release() => rest.TrySetResult();

    /// <summary>Lets the rest of the burst go and waits until every DM has been delivered (and retried) by X.</summary>
    public Task ReleaseAsync()
    {
        Release();
        return burst;
    }
}

/// <summary>What became of a burst: the numbers a scenario is judged by.</summary>
public sealed record FaultAccount(
    string Scenario, int Accepted, int Expected, int Answered, int Duplicates, int OutOfOrder, long DeadLetters, int Deliveries, int RefusedByX, string What = "DMs")
{
    public override string ToString() =>
        $"{Scenario}: {Accepted} {What} accepted by the Ingress ({Deliveries} webhook deliveries incl. X's retries), {Answered}/{Expected} answered exactly once, "
        + $"{Duplicates} duplicate replies, {OutOfOrder} conversations out of order, {DeadLetters} dead letters, {RefusedByX} sends refused by X";
}
