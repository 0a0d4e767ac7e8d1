using Microsoft.Extensions.Options;
using Refit;
using TwitterBot.Conventions.Accounts;
using TwitterBot.Processor.Clients.X;
using TwitterBot.Processor.Extensions;
using TwitterBot.Processor.XAccount.Replay;

namespace TwitterBot.Processor.XAccount;

public static class XAccountExtensions
{
    /// <summary>X's Account Activity API, the CRC probe, the reconciler and the doctor (the service and the commands share them).</summary>
    public static IHostApplicationBuilder AddXAccountClients(this IHostApplicationBuilder builder)
    {
        // Refit's generated client, JSON by our source-generated context (snake_case, counts as strings or numbers);
        // RFC 3986 resolution so that v1.1 paths stay under TwitterUrl's /1.1/ and v2's /2/… start at the host's root.
        builder.Services.AddRefitGeneratedClient<IXAccountActivityApi>(_ => new RefitSettings(new SystemTextJsonContentSerializer(AccountActivityJsonContext.Default.Options))
            {
                UrlResolution = UrlResolutionMode.Rfc3986,
                Buffered = true,
            })
            .ConfigureHttpClient((services, http) =>
                http.BaseAddress = ProcessorExtensions.DirectoryUri(services.GetRequiredService<IOptions<TwitterBotOptions>>().Value.Api.TwitterUrl!))
            .AddHttpMessageHandler<OAuth1SigningHandler>();
        builder.Services.AddTransient<XAccountActivityClient>();
        builder.Services.AddHttpClient<IngressCrcProbe>(http => http.Timeout = TimeSpan.FromSeconds(10));
        builder.Services.AddHttpClient<Doctor>(http => http.Timeout = TimeSpan.FromSeconds(10));
        builder.Services.AddTransient<ActivitySubscriptions>();
        builder.Services.AddTransient<WebhookReconciler>();
        builder.AddReplay();
        return builder;
    }

    /// <summary>Reconciles the X account in the background when the Processor starts.</summary>
    public static IHostApplicationBuilder AddAccountReconciliation(this IHostApplicationBuilder builder)
    {
        builder.AddXAccountClients();
        builder.Services.AddHostedService<WebhookReconciliation>();
        return builder;
    }
}
