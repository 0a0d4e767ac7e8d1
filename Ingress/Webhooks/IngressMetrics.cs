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

    private readonly Counter<long> _events;
    private readonly Histogram<double> _confirmDuration;

    public IngressMetrics(IMeterFactory meters)
    {
        var meter = meters.Create(MeterName);
        _events = meter.CreateCounter<long>(EventsInstrument, "{event}", "X events received, by type and what became of them.");
        _confirmDuration = meter.CreateHistogram<double>("twitterbot.ingress.publish.confirm.duration", "s", "Time from publish to the broker's confirm of a whole delivery.");
    }

    public void Event(string type, string outcome, int count = 1) =>
        _events.Add(count, new TagList { { "event.type", type }, { "outcome", outcome } });

    public void Confirmed(TimeSpan elapsed) => _confirmDuration.Record(elapsed.TotalSeconds);
}
