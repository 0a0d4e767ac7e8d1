using Microsoft.Extensions.Options;
using Refit;
using TwitterBot.Conventions.Accounts;
using TwitterBot.Processor.Clients.X;
using TwitterBot.Processor.Extensions;

namespace TwitterBot.Processor.XAccount.Replay;

public static class ReplayExtensions
{
    /// <summary>Replay per flavour, each bot's DM history (v1.1 or v2 by <c>TwitterBot:Api:Version</c>) and the recovery's publisher.</summary>
    public static IHostApplicationBuilder AddReplay(this IHostApplicationBuilder builder)
    {
        // As the Account Activity client: RFC 3986 resolution keeps v1.1 paths under TwitterUrl's /1.1/ and v2's /2/… at the host's root.
        builder.Services.AddRefitGeneratedClient<IXReplayApi>(_ => new RefitSettings(new SystemTextJsonContentSerializer(ReplayJsonContext.Default.Options))
            {
                UrlResolution = UrlResolutionMode.Rfc3986,
                Buffered = true,
            })
            .ConfigureHttpClient((services, http) =>
                http.BaseAddress = ProcessorExtensions.DirectoryUri(services.GetRequiredService<IOptions<TwitterBotOptions>>().Value.Api.TwitterUrl!))
            .AddHttpMessageHandler<OAuth1SigningHandler>();
        builder.Services.AddTransient<XReplayClient>();
        builder.Services.AddTransient<IDirectMessageHistory>(services =>
            services.GetRequiredService<IOptions<TwitterBotOptions>>().Value.Api.Version == TwitterApiOptions.V2
                ? ActivatorUtilities.CreateInstance<V2DirectMessageHistory>(services)
                : ActivatorUtilities.CreateInstance<V1DirectMessageHistory>(services));
        builder.Services.AddTransient<DirectMessageRecovery>();
        builder.Services.AddTransient<RecoveryPublisher>();
        return builder;
    }
}
