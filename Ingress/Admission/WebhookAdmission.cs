using System.Diagnostics.Metrics;
using System.Threading.RateLimiting;
using Microsoft.Extensions.Options;
using TwitterBot.Ingress.Webhooks;

namespace TwitterBot.Ingress.Admission;

/// <summary>
/// Decides at the door whether a webhook POST is taken on: a slot among <c>MaxConcurrentRequests</c>, at
/// once or after a short wait in a bounded queue, and only while the broker owes fewer than
/// <c>MaxOverduePublishes</c> confirms. A refused POST costs a header parse and a 503, so refusing keeps
/// up with any rate X can offer and the accepted POSTs keep the CPU.
/// </summary>
public sealed class WebhookAdmission : IDisposable
{
    private readonly ConcurrencyLimiter _slots;
    private readonly AdmissionOptions _options;
    private readonly ConfirmedPublisher _publisher;
    private readonly TimeProvider _time;
    private int _inFlight;

    public WebhookAdmission(IOptions<WebhookReceiverOptions> options, ConfirmedPublisher publisher, TimeProvider time, IMeterFactory meters)
    {
        _options = options.Value.Admission;
        _publisher = publisher;
        _time = time;
        _slots = new ConcurrencyLimiter(new ConcurrencyLimiterOptions
        {
            PermitLimit = _options.MaxConcurrentRequests,
            QueueLimit = _options.QueueLimit,
            QueueProcessingOrder = QueueProcessingOrder.OldestFirst,
        });
        var meter = meters.Create(IngressMetrics.MeterName);
        meter.CreateObservableGauge("twitterbot.ingress.admission.in_flight", () => Volatile.Read(ref _inFlight), "{request}", "Webhook POSTs being handled now.");
        meter.CreateObservableGauge("twitterbot.ingress.publish.overdue", () => _publisher.Overdue, "{message}", "Publishes answered 503 whose confirm the broker still owes.");
    }

    /// <summary>POSTs holding a slot now.</summary>
    public int InFlight => Volatile.Read(ref _inFlight);

    /// <summary>Whole seconds for <c>Retry-After</c>.</summary>
    public int RetryAfterSeconds => (int)_options.RetryAfter.TotalSeconds;

    /// <returns>A slot to hold for the whole request, or why there is none. Null when the client went away while waiting.</returns>
    public async ValueTask<Admission?> AdmitAsync(CancellationToken aborted)
    {
        if (_publisher.Overdue >= _options.MaxOverduePublishes)
        {
            return Admission.Refused(AdmissionRefusal.BrokerBehind);
        }

        var lease = _slots.AttemptAcquire();
        if (!lease.IsAcquired)
        {
            lease.Dispose();
            if (_options.QueueTimeout <= TimeSpan.Zero || _options.QueueLimit == 0)
            {
                return Admission.Refused(AdmissionRefusal.Busy);
            }

            using var patience = new CancellationTokenSource(_options.QueueTimeout, _time);
            using var waiting = CancellationTokenSource.CreateLinkedTokenSource(patience.Token, aborted);
            try
            {
                lease = await _slots.AcquireAsync(1, waiting.Token);
            }
            catch (OperationCanceledException) when (aborted.IsCancellationRequested)
            {
                return null;
            }
            catch (OperationCanceledException)
            {
                return Admission.Refused(AdmissionRefusal.QueueTimeout);
            }

            if (!lease.IsAcquired)
            {
                lease.Dispose();
                return Admission.Refused(AdmissionRefusal.QueueFull);
            }
        }

        Interlocked.Increment(ref _inFlight);
        return new Admission(new Slot(this, lease), null);
    }

    public void Dispose() => _slots.Dispose();

    private sealed class Slot(WebhookAdmission owner, RateLimitLease lease) : IDisposable
    {
        private int _released;

        public void Dispose()
        {
            if (Interlocked.Exchange(ref _released, 1) == 0)
            {
                Interlocked.Decrement(ref owner._inFlight);
                lease.Dispose();
            }
        }
    }
}

/// <summary>A held slot (dispose it when the response is done) or the reason for a 503.</summary>
public sealed record Admission(IDisposable? Slot, AdmissionRefusal? Refusal) : IDisposable
{
    public static Admission Refused(AdmissionRefusal reason) => new(null, reason);

    public void Dispose() => Slot?.Dispose();
}

public enum AdmissionRefusal
{
    /// <summary>Every slot taken and queueing switched off.</summary>
    Busy,

    /// <summary>Every slot taken and the queue full.</summary>
    QueueFull,

    /// <summary>Waited <c>QueueTimeout</c> for a slot in vain.</summary>
    QueueTimeout,

    /// <summary>The broker owes <c>MaxOverduePublishes</c> confirms already.</summary>
    BrokerBehind,
}
