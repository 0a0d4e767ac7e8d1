using System.Diagnostics;
using System.Diagnostics.Metrics;

namespace TwitterBot.Ingress.Webhooks;

/// <summary>
/// The Ingress's own instruments, on the <c>TwitterBot.Ingress</c> meter. Requests by status code are
/// already counted by ASP.NET Core (<c>http.server.request.duration</c>).
/// </summary>
public sealed class IngressMetrics
{
    public const string MeterName = "TwitterBot.Ingress";
    public const string EventsInstrument = "twitterbot.ingress.events";
    public const string UnavailableInstrument = "twitterbot.ingress.unavailable";

    private readonly Counter<long> _events;
    private readonly Histogram<double> _confirmDuration;
    private readonly Counter<long> _unavailable;

    public IngressMetrics(IMeterFactory meters)
    {
        var meter = meters.Create(MeterName);
        _events = meter.CreateCounter<long>(EventsInstrument, "{event}", "X events received, by type and what became of them.");
        _unavailable = meter.CreateCounter<long>(UnavailableInstrument, "{request}", "Webhook POSTs answered 503 (X retries them), by reason: busy, queue_full, queue_timeout, broker_behind (admission) or publish_timeout, publish_failed.");
        _confirmDuration = meter.CreateHistogram<double>("twitterbot.ingress.publish.confirm.duration", "s", "Time from publish to the broker's confirm of a whole delivery.");
    }

    public void Event(string type, string outcome, int count = 1) =>
        _events.Add(count, new TagList { { "event.type", type }, { "outcome", outcome } });

    public void Unavailable(string reason) => _unavailable.Add(1, new TagList { { "reason", reason } });

    public void Confirmed(TimeSpan elapsed) => _confirmDuration.Record(elapsed.TotalSeconds);
}
