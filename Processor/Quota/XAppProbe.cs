using Microsoft.Extensions.Options;
using Refit;
using TwitterBot.Conventions.Accounts;
using TwitterBot.Processor.Clients.X;

namespace TwitterBot.Processor.Quota;

/// <summary>
/// X's "who am I" (<c>GET /2/users/me</c>), relative to the root of <c>TwitterBot:Api:TwitterUrl</c>, called as a bot
/// account (OAuth 1.0a user context, signed by <see cref="OAuth1SigningHandler"/>).
/// </summary>
public interface IXAppProbeApi
{
    [Get("/2/users/me")]
    Task<IApiResponse> MeAsync([Property(XUserToken.PropertyKey)] XUserToken bot, CancellationToken cancellationToken);
}

/// <summary>
/// Asks X whether it serves the app again while it refuses it for money, without a message. X blocks every request of
/// an app out of credits (402) or past its spending limit (429 <c>UsageCapExceeded</c>), reads as well as sends
/// (docs.x.com <c>x-api/getting-started/pricing</c>; the cap met on a read in <c>xdevplatform/xdk</c> issue #25). The
/// cheapest such request is one user read of the first configured bot, itself: one "User: Read" resource, which X
/// charges at most once per UTC day (its deduplication), whereas a DM send costs each time and needs a message to send.
/// </summary>
public sealed class XAppProbe(IXAppProbeApi api, IOptions<TwitterBotOptions> options, XClock clock)
{
    /// <summary>Returns when X answered with success; throws what <see cref="XResponses"/> makes of any other answer.</summary>
    public Task ProbeAsync(CancellationToken cancellationToken)
    {
        var bot = options.Value.Bots[0];
        var token = new XUserToken(bot.AccessToken!, bot.AccessSecret!);
        return XResponses.EnsureAsync("the app's probe (users/me)", () => api.MeAsync(token, cancellationToken), clock, cancellationToken);
    }
}
