using Microsoft.Extensions.Options;
using TwitterBot.Conventions.Accounts;
using TwitterBot.Processor.Clients.X;
using TwitterBot.Processor.Options;

namespace TwitterBot.Processor.XAccount;

/// <summary>
/// Runs <see cref="WebhookReconciler"/> when the Processor starts (<c>Processor:Reconciliation:Enabled</c>),
/// in the background so that conversations are served meanwhile. Failures X or the network may recover
/// from are retried with jittered exponential backoff; failures only an operator can fix are logged once,
/// with the fix, and end the attempt.
/// </summary>
public sealed partial class WebhookReconciliation(
    WebhookReconciler reconciler,
    IOptions<ProcessorOptions> processor,
    IOptions<TwitterBotOptions> options,
    TimeProvider time,
    ILogger<WebhookReconciliation> logger) : BackgroundService
{
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        var settings = processor.Value.Reconciliation;
        if (!settings.Enabled)
        {
            LogDisabled();
            return;
        }

        if (string.IsNullOrWhiteSpace(options.Value.Api.WebhookUrl))
        {
            LogNoWebhookUrl();
            return;
        }

        var backoff = TimeSpan.FromSeconds(1);
        for (var attempt = 1; !stoppingToken.IsCancellationRequested; attempt++)
        {
            try
            {
                var result = await reconciler.ReconcileAsync(stoppingToken);
                LogDone(result.Webhook.Id, result.Change, result.Subscribed.Count, result.AlreadySubscribed.Count);
                return;
            }
            catch (Exception failure) when (!stoppingToken.IsCancellationRequested && IsWorthRetrying(failure))
            {
                var pause = backoff * (0.5 + Random.Shared.NextDouble());
                LogRetrying(attempt, pause, XAdvice.For(failure));
                await Task.Delay(pause, time, stoppingToken);
                backoff = TimeSpan.FromTicks(Math.Min(backoff.Ticks * 2, settings.MaxBackoff.Ticks));
            }
            catch (Exception failure) when (!stoppingToken.IsCancellationRequested)
            {
                LogGaveUp(XAdvice.For(failure));
                return;
            }
        }
    }

    private static bool IsWorthRetrying(Exception failure) => failure switch
    {
        XApiException limit when XAdvice.IsSubscriptionLimit(limit) => false,
        XApiException x => x.Kind is XFailureKind.Transient or XFailureKind.RateLimited,
        HttpRequestException or TaskCanceledException or XOutcomeUnknownException or IngressNotAnsweringException => true,
        _ => false,
    };

    [LoggerMessage(LogLevel.Information, "Processor:Reconciliation:Enabled is false: the webhook and subscriptions are not checked at start.")]
    private partial void LogDisabled();

    [LoggerMessage(LogLevel.Information, "TwitterBot:Api:WebhookUrl is not set: the webhook and subscriptions are not reconciled at start.")]
    private partial void LogNoWebhookUrl();

    [LoggerMessage(LogLevel.Information, "X account reconciled: webhook {WebhookId} {Change}; {Subscribed} bots subscribed now, {Already} were already.")]
    private partial void LogDone(string webhookId, WebhookChange change, int subscribed, int already);

    [LoggerMessage(LogLevel.Warning, "Reconciling the X account failed (attempt {Attempt}); retrying in {Pause}. {Advice}")]
    private partial void LogRetrying(int attempt, TimeSpan pause, string advice);

    [LoggerMessage(LogLevel.Error, "Reconciling the X account failed and needs an operator; events may not reach the Ingress. {Advice}")]
    private partial void LogGaveUp(string advice);
}
