using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using TwitterBot.Conventions.Queues;
using TwitterBot.Tests.Support;

namespace TwitterBot.Tests.Faults;

/// <summary>
/// The fault suite on a real 3-node RabbitMQ cluster (<c>build/lib/cluster.sh</c>, started by the specs): the
/// services list all three nodes in <c>Messaging:Rabbit:Hosts</c> and a node is lost mid-burst. Roles are
/// placed, then checked: the work queues are declared first through node 2 (RabbitMQ puts a quorum queue's
/// leader on the node that declares it), both services connect to node 1, node 3 is a plain follower. Each
/// account must show every DM accepted answered exactly once, in order, nothing dead-lettered, and prints how
/// long the Ingress refused (503 or no answer) after the fault.
/// </summary>
[Category("Cluster")]
public static class Cluster_Specs
{
    private const int Leader = 2;
    private const int ServicesNode = 1;
    private const int Follower = 3;

    private static async Task<FaultRig> StartRigAsync()
    {
        await ClusterNodes.RunAsync("wait-running", "3");
        // Node 3's management API manages the rig's virtual host: every scenario has it back before the account.
        var broker = await RabbitMqVirtualHost.CreateAsync(ClusterNodes.ManagementUrl(Follower), ClusterNodes.AmqpNode(Follower));
        await ClusterNodes.DeclareQueuesThroughAsync(Leader, broker.Name);
        return await FaultRig.StartAsync(broker: broker, hosts: [.. Enumerable.Range(1, 3).Select(ClusterNodes.AmqpNode)]);
    }

    private static async Task AssertRolesAsync(FaultRig rig)
    {
        var queues = await ClusterNodes.WorkQueuesAsync(rig.Broker.Name);
        Assert.That(queues.Select(q => q.Leader).Distinct(), Is.EqualTo(new[] { ClusterNodes.NodeName(Leader) }), "every work queue led by node 2");
        Assert.That(await ClusterNodes.IngressNodesAsync(rig.Broker.Name, except: null),
            Is.EqualTo(new[] { ClusterNodes.NodeName(ServicesNode) }), "the Ingress connected to node 1, the first of Messaging:Rabbit:Hosts");
    }

    /// <summary>
    /// The moment to fault, for every burst scenario: a rig on the cluster with its roles checked, a burst sent to its
    /// midway and held, and the refusal clock started.
    /// </summary>
    private static async Task<ClusterScenario> BurstToTheFaultAsync()
    {
        var rig = await StartRigAsync();
        RefusalWatch? refusals = null;
        try
        {
            await AssertRolesAsync(rig);
            refusals = new RefusalWatch(rig.Sender);
            var burst = await rig.SendBurstToMidwayAsync();
            refusals.Fault();
            return new ClusterScenario(rig, refusals, burst);
        }
        catch
        {
            refusals?.Dispose();
            await rig.DisposeAsync();
            throw;
        }
    }

    private sealed record ClusterScenario(FaultRig Rig, RefusalWatch Refusals, HeldBurst Burst) : IAsyncDisposable
    {
        public async ValueTask DisposeAsync()
        {
            Refusals.Dispose();
            await Rig.DisposeAsync();
        }
    }

    /// <summary>Starts the cluster, or checks that the running one is whole (as build/test.sh does for the shared broker).</summary>
    public abstract class OnTheCluster
    {
        [OneTimeSetUp]
        public Task StartTheCluster() => ClusterNodes.RunAsync("ensure");
    }

    [NonParallelizable]
    public class When_the_services_declare_their_queues_on_the_cluster : OnTheCluster
    {
        [Test]
        public async Task Should_replicate_every_partition_queue_on_all_three_nodes()
        {
            await ClusterNodes.RunAsync("wait-running", "3");
            var broker = await RabbitMqVirtualHost.CreateAsync(ClusterNodes.ManagementUrl(Follower), ClusterNodes.AmqpNode(Follower));
            await using var rig = await FaultRig.StartAsync(processors: 0, broker: broker, hosts: [.. Enumerable.Range(1, 3).Select(ClusterNodes.AmqpNode)]);

            var queues = await ClusterNodes.WorkQueuesAsync(broker.Name);
            foreach (var queue in queues)
            {
                TestContext.Out.WriteLine($"{queue.Name}: x-quorum-initial-group-size {queue.InitialGroupSize}, leader {queue.Leader}, members {string.Join(", ", queue.Members)}");
            }

            Assert.That(queues.Select(q => q.Name), Is.SupersetOf(TestSettings.PartitionQueues));
            Assert.That(queues.Select(q => q.InitialGroupSize).Distinct(), Is.EqualTo(new long?[] { DurableQueues.QuorumReplicas }), "declared, not 3.10's default (every node)");
            Assert.That(queues, Has.All.Matches<QueueReplicas>(q => q.Members.Count == 3), "x-quorum-initial-group-size=3 on 3 nodes");
        }
    }

    [NonParallelizable]
    public class When_the_node_leading_the_partition_queues_is_SIGKILLed_in_the_middle_of_a_burst : OnTheCluster
    {
        [Test]
        public async Task Should_lose_nothing_while_a_follower_takes_the_lead()
        {
            await using var scenario = await BurstToTheFaultAsync();
            var (rig, refusals, burst) = scenario;
            await ClusterNodes.RunAsync("kill", Leader.ToString(CultureInfo.InvariantCulture));
            await burst.ReleaseAsync();
            var leaders = (await ClusterNodes.WorkQueuesAsync(rig.Broker.Name)).Select(q => q.Leader).Distinct().ToList();
            await ClusterNodes.RunAsync("start", Leader.ToString(CultureInfo.InvariantCulture));

            TestContext.Out.WriteLine($"leaders after the kill: {string.Join(", ", leaders)}; {refusals}");
            Assert.That(leaders, Has.None.EqualTo(ClusterNodes.NodeName(Leader)), "the queues elected a leader among the survivors");
            rig.AssertNothingLost(await rig.AccountAsync("the node leading every work queue SIGKILLed mid-burst (3-node cluster)"));
        }
    }

    [NonParallelizable]
    public class When_a_follower_node_is_stopped_and_restarted_in_the_middle_of_a_burst : OnTheCluster
    {
        [Test]
        public async Task Should_lose_nothing_and_the_node_catch_up()
        {
            await using var scenario = await BurstToTheFaultAsync();
            var (rig, refusals, burst) = scenario;
            await ClusterNodes.RunAsync("stop", Follower.ToString(CultureInfo.InvariantCulture));
            burst.Release();
            await ClusterNodes.RunAsync("start", Follower.ToString(CultureInfo.InvariantCulture));
            await burst.ReleaseAsync();

            TestContext.Out.WriteLine(refusals);
            rig.AssertNothingLost(await rig.AccountAsync("a follower node stopped and restarted mid-burst (3-node cluster)"));
            await ClusterNodes.RunAsync("wait-running", "3");
            var queues = await ClusterNodes.WorkQueuesAsync(rig.Broker.Name);
            Assert.That(queues, Has.All.Matches<QueueReplicas>(q => q.Members.Contains(ClusterNodes.NodeName(Follower))), "the node is still a member of every work queue");
        }
    }

    [NonParallelizable]
    public class When_the_node_the_Ingress_is_connected_to_is_SIGKILLed_in_the_middle_of_a_burst : OnTheCluster
    {
        [Test]
        public async Task Should_fail_over_to_another_node_and_lose_nothing()
        {
            await using var scenario = await BurstToTheFaultAsync();
            var (rig, refusals, burst) = scenario;
            await ClusterNodes.RunAsync("kill", ServicesNode.ToString(CultureInfo.InvariantCulture));
            await burst.ReleaseAsync();
            var ingressNodes = await ClusterNodes.IngressNodesAsync(rig.Broker.Name, except: ClusterNodes.NodeName(ServicesNode));
            await ClusterNodes.RunAsync("start", ServicesNode.ToString(CultureInfo.InvariantCulture));

            TestContext.Out.WriteLine($"the Ingress reconnected to: {string.Join(", ", ingressNodes)}; {refusals}");
            Assert.That(ingressNodes, Is.Not.Empty.And.None.EqualTo(ClusterNodes.NodeName(ServicesNode)), "the Ingress failed over to a surviving node");
            rig.AssertNothingLost(await rig.AccountAsync("the node both services were connected to SIGKILLed mid-burst (3-node cluster)"));
        }
    }

    /// <summary>
    /// Raft's rule on the real cluster: with the leader and the follower both SIGKILLed, node 1 alone is no majority,
    /// so no publish is confirmed and the Ingress must refuse (a 200 would be a DM stored nowhere, never answered);
    /// once a second node is back the queues elect a leader and every DM X retried is taken, and the publishes that
    /// timed out and were enqueued late anyway are answered once, not twice.
    /// </summary>
    [NonParallelizable]
    public class When_two_of_the_three_nodes_are_SIGKILLed_in_the_middle_of_a_burst : OnTheCluster
    {
        [Test]
        public async Task Should_refuse_until_a_majority_is_back_and_then_lose_nothing()
        {
            await using var scenario = await BurstToTheFaultAsync();
            var (rig, refusals, burst) = scenario;
            await ClusterNodes.RunAsync("kill", Leader.ToString(CultureInfo.InvariantCulture));
            await ClusterNodes.RunAsync("kill", Follower.ToString(CultureInfo.InvariantCulture));
            var acceptedWithTwoNodesDown = rig.Accepted;
            burst.Release();
            await refusals.WaitForRefusalAsync(FaultRig.Patience);
            var acceptedWithoutMajority = rig.Accepted - acceptedWithTwoNodesDown; // the burst was held across both kills

            var restart = Stopwatch.StartNew();
            await ClusterNodes.RunAsync("start", Follower.ToString(CultureInfo.InvariantCulture));
            restart.Stop();
            await burst.ReleaseAsync();
            await ClusterNodes.RunAsync("start", Leader.ToString(CultureInfo.InvariantCulture));

            TestContext.Out.WriteLine(
                $"accepted while one node of three lived: {acceptedWithoutMajority}; node 3 took {restart.Elapsed.TotalSeconds:F2} s to start; {refusals}");
            Assert.That(acceptedWithoutMajority, Is.Zero, "no 200 without a majority to store the DM");
            rig.AssertNothingLost(await rig.AccountAsync("two of three nodes SIGKILLed mid-burst, one brought back (3-node cluster)"));
        }
    }
}

/// <summary>When, after the fault, the Ingress answered X's deliveries with anything but 200 (503, or no answer).</summary>
internal sealed class RefusalWatch : IDisposable
{
    private readonly XWebhookSender _sender;
    private readonly CancellationTokenSource _stop = new();
    private readonly Stopwatch _clock = new();
    private readonly Task _watch;
    private int _seen;
    private int _refused;
    private TimeSpan? _first;
    private TimeSpan? _last;

    public RefusalWatch(XWebhookSender sender)
    {
        _sender = sender;
        _watch = Task.Run(WatchAsync);
    }

    public void Fault()
    {
        _seen = _sender.Attempts.Count;
        _clock.Start();
    }

    private async Task WatchAsync()
    {
        while (!_stop.IsCancellationRequested)
        {
            if (_clock.IsRunning)
            {
                var attempts = _sender.Attempts.ToArray();
                foreach (var attempt in attempts.Skip(_seen))
                {
                    if (attempt.Status != HttpStatusCode.OK)
                    {
                        Interlocked.Increment(ref _refused);
                        _first ??= _clock.Elapsed;
                        _last = _clock.Elapsed;
                    }
                }

                _seen = attempts.Length;
            }

            await Task.Delay(TimeSpan.FromMilliseconds(10));
        }
    }

    /// <summary>Waits until the Ingress has refused a delivery after the fault.</summary>
    public async Task WaitForRefusalAsync(TimeSpan patience)
    {
        using var deadline = new CancellationTokenSource(patience);
        while (Volatile.Read(ref _refused) == 0)
        {
            await Task.Delay(TimeSpan.FromMilliseconds(50), deadline.Token);
        }
    }

    public override string ToString() => _first is { } first && _last is { } last
        ? $"the Ingress refused {_refused} deliveries (503 or no answer) from +{first.TotalSeconds:F2} s to +{last.TotalSeconds:F2} s after the fault ({(last - first).TotalSeconds:F2} s)"
        : "the Ingress refused no delivery after the fault (every answer 200)";

    public void Dispose()
    {
        _stop.Cancel();
        _watch.Wait(TimeSpan.FromSeconds(5));
        _stop.Dispose();
    }
}

public sealed record QueueReplicas(string Name, string Leader, IReadOnlyList<string> Members, long? InitialGroupSize);

public sealed record ClusterConnection(string Name, string Node);

/// <summary>build/lib/cluster.sh's nodes, its script, and their management API (asked of whichever node answers).</summary>
internal static class ClusterNodes
{
    private static readonly HttpClient Management = CreateManagement();

    /// <summary>The ports of node 1, as build/lib/ports.sh reads them; node N takes the N-th port from there.</summary>
    private static readonly int AmqpBase = Base("TWITTERBOT_CLUSTER_AMQP_BASE", 5681);
    private static readonly int ManagementBase = Base("TWITTERBOT_CLUSTER_MANAGEMENT_BASE", 15681);

    private static int Base(string variable, int port) =>
        int.TryParse(Environment.GetEnvironmentVariable(variable), NumberStyles.None, CultureInfo.InvariantCulture, out var moved) ? moved : port;

    public static string AmqpNode(int node) => $"127.0.0.1:{AmqpBase + node - 1}";

    public static string ManagementUrl(int node) => $"http://127.0.0.1:{ManagementBase + node - 1}/";

    public static string NodeName(int node) => $"twitterbot-{node}@localhost";

    private static HttpClient CreateManagement()
    {
        var client = new HttpClient { Timeout = TimeSpan.FromSeconds(10) };
        client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue(
            "Basic", Convert.ToBase64String(Encoding.ASCII.GetBytes($"{RabbitMqVirtualHost.Username}:{RabbitMqVirtualHost.Password}")));
        return client;
    }

    /// <summary>Runs <c>bash build/lib/cluster.sh</c> with these arguments; fails with its output when it fails.</summary>
    public static async Task RunAsync(params string[] arguments)
    {
        var start = new ProcessStartInfo("bash") { WorkingDirectory = RunCommand.RepositoryRoot, RedirectStandardOutput = true, RedirectStandardError = true };
        start.ArgumentList.Add("build/lib/cluster.sh");
        foreach (var argument in arguments)
        {
            start.ArgumentList.Add(argument);
        }

        using var process = Process.Start(start)!;
        var output = process.StandardOutput.ReadToEndAsync();
        var errors = process.StandardError.ReadToEndAsync();
        using var patience = new CancellationTokenSource(TimeSpan.FromMinutes(3));
        await process.WaitForExitAsync(patience.Token);
        TestContext.Out.Write(await output);
        Assert.That(process.ExitCode, Is.Zero, $"cluster.sh {string.Join(' ', arguments)}: {await errors}");
    }

    /// <summary>Declares every durable queue as the services do, through node <paramref name="node"/>'s management API, so that node leads them.</summary>
    public static async Task DeclareQueuesThroughAsync(int node, string virtualHost)
    {
        foreach (var (queue, arguments) in DurableQueues.Declarations(TestSettings.ConversationPartitions))
        {
            using var response = await Management.PutAsJsonAsync(
                new Uri($"{ManagementUrl(node)}api/queues/{Uri.EscapeDataString(virtualHost)}/{queue}"), new { durable = true, arguments });
            response.EnsureSuccessStatusCode();
        }
    }

    public static async Task<IReadOnlyList<QueueReplicas>> WorkQueuesAsync(string virtualHost)
    {
        var queues = await GetAsync($"api/queues/{Uri.EscapeDataString(virtualHost)}");
        return [.. queues.EnumerateArray()
            .Where(q => q.GetProperty("type").GetString() == "quorum")
            .Select(q => new QueueReplicas(
                q.GetProperty("name").GetString()!,
                q.TryGetProperty("leader", out var leader) ? leader.GetString() ?? "" : "",
                q.TryGetProperty("members", out var members) ? [.. members.EnumerateArray().Select(m => m.GetString()!)] : [],
                q.GetProperty("arguments").TryGetProperty("x-quorum-initial-group-size", out var size) ? size.GetInt64() : null))];
    }

    /// <summary>
    /// The nodes the Ingress's bus is connected to, once the management API lists a connection on another node
    /// than <paramref name="except"/> (its connection list follows the nodes' statistics, which lag by seconds).
    /// </summary>
    public static async Task<IReadOnlyList<string>> IngressNodesAsync(string virtualHost, string? except)
    {
        using var patience = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        while (true)
        {
            var nodes = (await ConnectionsAsync(virtualHost))
                .Where(c => c.Name.StartsWith("twitterbot-ingress", StringComparison.Ordinal)).Select(c => c.Node).Distinct().ToList();
            if (nodes.Any(n => n != except) || patience.IsCancellationRequested)
            {
                return nodes;
            }

            await Task.Delay(TimeSpan.FromMilliseconds(250), CancellationToken.None);
        }
    }

    public static async Task<IReadOnlyList<ClusterConnection>> ConnectionsAsync(string virtualHost)
    {
        var connections = await GetAsync($"api/vhosts/{Uri.EscapeDataString(virtualHost)}/connections");
        return [.. connections.EnumerateArray().Select(c => new ClusterConnection(
            c.TryGetProperty("client_properties", out var client) && client.TryGetProperty("connection_name", out var name) ? name.GetString() ?? "" : "",
            c.GetProperty("node").GetString()!))];
    }

    /// <summary>GETs from the first node whose management API answers (one may be down, by design).</summary>
    private static async Task<JsonElement> GetAsync(string path)
    {
        Exception? failure = null;
        for (var node = 1; node <= 3; node++)
        {
            try
            {
                return await Management.GetFromJsonAsync<JsonElement>(new Uri(ManagementUrl(node) + path));
            }
            catch (Exception exception) when (exception is HttpRequestException or TaskCanceledException)
            {
                failure = exception;
            }
        }

        throw new InvalidOperationException($"No cluster node's management API answered {path}.", failure);
    }
}
