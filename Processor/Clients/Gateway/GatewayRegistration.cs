using Microsoft.Extensions.Options;
using Refit;
using TwitterBot.Processor.Options;

namespace TwitterBot.Processor.Clients.Gateway;

public static class GatewayRegistration
{
    /// <summary>
    /// The gateway client: a source-generated Refit client on an <see cref="IHttpClientFactory"/> client
    /// (base address from <see cref="GatewayOptions"/>), behind one circuit breaker per process.
    /// No retrying handler: retries are the conversation's, decided by <see cref="GatewayException.IsOutage"/>.
    /// </summary>
    public static IServiceCollection AddGatewayClient(this IServiceCollection services)
    {
        services.AddSingleton<GatewayCircuit>();
        services.AddSingleton<GatewayTelemetry>();
        // Buffered: the body goes with its Content-Length, not chunked through a stream serializer (cheaper on both ends).
        services.AddRefitGeneratedClient<IGatewayApi>(new RefitSettings(new SystemTextJsonContentSerializer(GatewayJsonContext.Default.Options)) { Buffered = true })
            .ConfigureHttpClient((provider, http) =>
            {
                var options = provider.GetRequiredService<IOptions<GatewayOptions>>().Value;
                http.BaseAddress = new Uri(options.Url!);
                // GatewayClient's own deadline (Gateway:Timeout) covers the body too, which HttpClient.Timeout does not here.
                http.Timeout = Timeout.InfiniteTimeSpan;
            });
        services.AddTransient<GatewayClient>();
        return services;
    }
}
