using MassTransit;
using Microsoft.Extensions.Options;
using TwitterBot.Ingress.Endpoints;
using TwitterBot.Ingress.Webhooks;
using TwitterBot.ServiceDefaults;

namespace TwitterBot.Ingress.Extensions;

public static class IngressExtensions
{
    /// <summary>Binds and validates on start what the Ingress needs: the consumer secret, the bots, the broker.</summary>
    public static IHostApplicationBuilder AddWebhookOptions(this IHostApplicationBuilder builder)
    {
        builder.Services.AddValidatedOptions<TwitterBotOptions, TwitterBotOptionsRules>(TwitterBotOptions.Section);
        builder.Services.AddValidatedOptions<RabbitMqOptions, RabbitMqOptionsValidator>(RabbitMqOptions.Section);
        builder.Services.AddOptions<WebhookReceiverOptions>().BindConfiguration(WebhookReceiverOptions.Section);
        return builder;
    }

    public static IHostApplicationBuilder AddWebhookReceiver(this IHostApplicationBuilder builder)
    {
        builder.Services.AddSingleton(TimeProvider.System);
        builder.Services.AddSingleton<WebhookSigner>();
        builder.Services.AddSingleton<BotAccounts>();
        builder.Services.AddSingleton<WebhookEventTranslator>();
        builder.Services.AddScoped<WebhookReceiver>();
        builder.Services.ConfigureHttpJsonOptions(json => json.SerializerOptions.TypeInfoResolverChain.Insert(0, IngressJsonContext.Default));
        return builder;
    }

    /// <summary>MassTransit on RabbitMQ, publish-only. Publisher confirms are on (the transport's default).</summary>
    public static IHostApplicationBuilder AddMessaging(this IHostApplicationBuilder builder)
    {
        builder.Services.AddMassTransit(bus =>
        {
            bus.UsingRabbitMq((context, rabbit) =>
            {
                rabbit.Host(context.GetRequiredService<IOptions<RabbitMqOptions>>().Value, "twitterbot-ingress");
                rabbit.ConfigureEndpoints(context);
            });
        });
        return builder;
    }
}
