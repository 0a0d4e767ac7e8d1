using System.Globalization;
using Microsoft.Extensions.Options;
using TwitterBot.Conventions.Accounts;
using TwitterBot.Processor.Clients.X;

namespace TwitterBot.Processor.XAccount.Replay;

/// <summary>
/// Replay through the flavour's own API (<see cref="IXReplayApi"/>): enterprise and AAA v2 through the Account
/// Activity replay job, the X Activity API through the webhook replay. Every answer goes through
/// <see cref="XAnswers"/>, as the Account Activity client's do.
/// </summary>
public sealed class XReplayClient(IXReplayApi api, IOptions<TwitterBotOptions> options)
{
    public AccountActivityFlavor Flavor { get; } = new AccountActivityRoutes(options.Value.Api).Flavor;

    /// <summary>The path the flavour replays through, for the operator.</summary>
    public string Endpoint => Flavor switch
    {
        AccountActivityFlavor.Enterprise => "POST account_activity/replay/webhooks/:id/subscriptions/all.json",
        AccountActivityFlavor.V2 => "POST /2/account_activity/replay/webhooks/:id/subscriptions/all",
        AccountActivityFlavor.ActivityApi => "POST /2/webhooks/replay",
        _ => "none",
    };

    /// <summary>Asks X to re-deliver every event of the webhook's subscriptions in [from, to).</summary>
    /// <exception cref="XConfigurationException">Premium environments have no Replay.</exception>
    public async Task<XReplayJob> CreateReplayJobAsync(string webhookId, DateTimeOffset from, DateTimeOffset to, CancellationToken cancellationToken)
    {
        var (fromDate, toDate) = (ReplayDate(from), ReplayDate(to));
        return Flavor switch
        {
            AccountActivityFlavor.Enterprise => await XAnswers.ContentAsync(() => api.EnterpriseReplayAsync(webhookId, fromDate, toDate, true, cancellationToken), cancellationToken),
            AccountActivityFlavor.V2 => (await XAnswers.ContentAsync(() => api.AccountActivityV2ReplayAsync(webhookId, fromDate, toDate, true, cancellationToken), cancellationToken))?.Job,
            AccountActivityFlavor.ActivityApi => (await XAnswers.ContentAsync(() => api.WebhookReplayAsync(new WebhookReplayRequest(webhookId, fromDate, toDate), true, cancellationToken), cancellationToken))?.Job,
            _ => throw new XConfigurationException(ReplayWindow.PremiumRefusal),
        } ?? throw new InvalidOperationException("X answered creating the replay job without the expected body.");
    }

    /// <summary>X's replay window bounds: <c>yyyyMMddHHmm</c> in UTC.</summary>
    public static string ReplayDate(DateTimeOffset at) => at.UtcDateTime.ToString("yyyyMMddHHmm", CultureInfo.InvariantCulture);
}
