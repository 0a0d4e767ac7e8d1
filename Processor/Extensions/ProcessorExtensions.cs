using MassTransit;
using Microsoft.Extensions.Options;
using TwitterBot.Processor.Clients.Gateway;
using TwitterBot.Processor.Clients.X;
using TwitterBot.Processor.Consumers;
using TwitterBot.Processor.Options;
using TwitterBot.ServiceDefaults;

namespace TwitterBot.Processor.Extensions;

public static class ProcessorExtensions
{
    public static IHostApplicationBuilder AddProcessorOptions(this IHostApplicationBuilder builder)
    {
        builder.Services.AddValidatedOptions<TwitterBotOptions, ProcessorOptionsRules>(TwitterBotOptions.Section);
        builder.Services.AddValidatedOptions<GatewayOptions, GatewayOptionsValidator>(GatewayOptions.Section);
        builder.Services.AddValidatedOptions<RabbitMqOptions, RabbitMqOptionsValidator>(RabbitMqOptions.Section);
        builder.Services.AddSingleton(TimeProvider.System);
        builder.Services.AddSingleton<BotAccounts>();
        return builder;
    }

    /// <summary>The gateway and the X API as typed clients; X requests are OAuth 1.0a-signed by a handler.</summary>
    public static IHostApplicationBuilder AddApiClients(this IHostApplicationBuilder builder)
    {
        builder.Services.AddHttpClient<GatewayClient>((services, http) =>
        {
            http.BaseAddress = DirectoryUri(services.GetRequiredService<IOptions<GatewayOptions>>().Value.Url!);
            http.Timeout = services.GetRequiredService<IOptions<TwitterBotOptions>>().Value.WebhooksMessaging.MessageTimeout;
        });

        builder.Services.AddTransient<OAuth1SigningHandler>();
        builder.Services.AddHttpClient<XDirectMessageClient>((services, http) =>
            http.BaseAddress = DirectoryUri(services.GetRequiredService<IOptions<TwitterBotOptions>>().Value.Api.TwitterUrl!))
            .AddHttpMessageHandler<OAuth1SigningHandler>();
        return builder;
    }

    public static IHostApplicationBuilder AddMessaging(this IHostApplicationBuilder builder)
    {
        builder.Services.AddMassTransit(bus =>
        {
            bus.SetKebabCaseEndpointNameFormatter();
            bus.AddConsumersFromNamespaceContaining<DirectMessageReceivedConsumer>();
            bus.AddConfigureEndpointsCallback((_, _, endpoint) =>
            {
                if (endpoint is IRabbitMqReceiveEndpointConfigurator rabbit)
                {
                    DurableQueues.Configure(rabbit);
                }
            });
            bus.UsingRabbitMq((context, rabbit) =>
            {
                rabbit.Host(context.GetRequiredService<IOptions<RabbitMqOptions>>().Value, "twitterbot-processor");
                rabbit.ConfigureEndpoints(context);
            });
        });
        return builder;
    }

    /// <summary>A base address that relative paths extend instead of replace (<c>…/1.1</c> → <c>…/1.1/</c>).</summary>
    private static Uri DirectoryUri(string url) => new(url.EndsWith('/') ? url : url + "/");
}
