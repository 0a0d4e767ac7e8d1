using FluentValidation;
using MassTransit;
using Microsoft.Extensions.Options;
using TwitterBot.Contracts;
using TwitterBot.Conventions.Accounts;
using TwitterBot.Conventions.Queues;
using TwitterBot.Conventions.Webhooks;
using TwitterBot.Ingress.Admission;
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
        builder.Services.AddValidatedOptions<WebhookReceiverOptions, WebhookReceiverOptionsValidator>(WebhookReceiverOptions.Section);
        return builder;
    }

    public static IHostApplicationBuilder AddWebhookReceiver(this IHostApplicationBuilder builder)
    {
        builder.Services.AddSingleton(TimeProvider.System);
        builder.Services.AddSingleton<WebhookSigner>();
        builder.Services.AddSingleton<BotAccounts>();
        builder.Services.AddSingleton<WebhookEventTranslator>();
        builder.Services.AddSingleton<ConfirmedPublisher>();
        builder.Services.AddSingleton<IngressMetrics>();
        builder.Services.AddSingleton<WebhookReceiver>();
        builder.Services.AddSingleton<WebhookAdmission>();
        builder.Services.ConfigureHttpJsonOptions(json => json.SerializerOptions.TypeInfoResolverChain.Insert(0, Endpoints.IngressJsonContext.Default));
        return builder;
    }

    /// <summary>
    /// Webhook POSTs past <c>Ingress:Admission</c>'s bounds are answered 503 at once; after routing, so that
    /// only endpoints marked <see cref="AdmissionControlled"/> are limited.
    /// </summary>
    public static IApplicationBuilder UseWebhookAdmission(this IApplicationBuilder app) =>
        app.UseMiddleware<AdmissionMiddleware>();

    /// <summary>
    /// MassTransit on RabbitMQ, publish-only, with publisher confirms (the transport's default). The queues
    /// the Processor consumes are declared and bound here too, so nothing accepted is ever unroutable;
    /// direct messages are spread over the conversation partitions by conversation key.
    /// </summary>
    public static IHostApplicationBuilder AddMessaging(this IHostApplicationBuilder builder)
    {
        builder.Services.AddDurableQueuesCheck();
        builder.Services.AddMassTransit(bus =>
        {
            bus.UsingRabbitMq((context, rabbit) =>
            {
                var options = context.GetRequiredService<IOptions<RabbitMqOptions>>().Value;
                rabbit.Host(options, "twitterbot-ingress");
                rabbit.RouteConversations(options.ConversationPartitions);
                rabbit.BindToPublisher<BotAccessRevoked>(DurableQueues.BotAccessRevoked);
                rabbit.BindToPublisher<ReplayJobStatusReported>(DurableQueues.ReplayJobStatusReported);
            });
        });
        return builder;
    }
}

public sealed class WebhookReceiverOptionsValidator : AbstractValidator<WebhookReceiverOptions>
{
    public WebhookReceiverOptionsValidator()
    {
        RuleFor(o => o.PublishTimeout).InclusiveBetween(TimeSpan.FromMilliseconds(100), TimeSpan.FromMilliseconds(2800))
            .WithMessage("must leave room inside X's 3 s answer budget: between 00:00:00.1 and 00:00:02.8.");
        RuleFor(o => o.MaxBodyBytes).InclusiveBetween(4 * 1024, 64 * 1024 * 1024)
            .WithMessage("must be between 4096 and 67108864 bytes.");
        RuleFor(o => o.Admission).NotNull().SetValidator(new AdmissionOptionsValidator());
    }
}
