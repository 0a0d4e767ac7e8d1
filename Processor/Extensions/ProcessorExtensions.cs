using MassTransit;
using Microsoft.Extensions.Options;
using TwitterBot.Processor.Clients.Gateway;
using TwitterBot.Processor.Clients.X;
using Npgsql;
using TwitterBot.Processor.Consumers;
using TwitterBot.Processor.Conversations;
using TwitterBot.Processor.Conversations.Saga;
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
        builder.Services.AddValidatedOptions<ProcessorOptions, ProcessorOptionsValidator>(ProcessorOptions.Section);
        builder.Services.AddSingleton(TimeProvider.System);
        builder.Services.AddSingleton<BotAccounts>();
        return builder;
    }

    /// <summary>The gateway and the X API as typed clients; X requests are OAuth 1.0a-signed by a handler.</summary>
    public static IHostApplicationBuilder AddApiClients(this IHostApplicationBuilder builder)
    {
        builder.Services.AddSingleton<GatewayCircuit>();
        builder.Services.AddSingleton<GatewayTelemetry>();
        builder.Services.AddHttpClient<GatewayClient>((services, http) =>
        {
            http.BaseAddress = DirectoryUri(services.GetRequiredService<IOptions<GatewayOptions>>().Value.Url!);
            http.Timeout = services.GetRequiredService<IOptions<TwitterBotOptions>>().Value.WebhooksMessaging.MessageTimeout;
        });

        builder.Services.AddTransient<OAuth1SigningHandler>();
        builder.Services.AddSingleton<XClock>();
        builder.Services.AddHttpClient<XDirectMessageClient>((services, http) =>
            http.BaseAddress = DirectoryUri(services.GetRequiredService<IOptions<TwitterBotOptions>>().Value.Api.TwitterUrl!))
            .AddHttpMessageHandler<OAuth1SigningHandler>();
        builder.Services.AddHttpClient<XMediaUploadClient>((services, http) =>
            http.BaseAddress = DirectoryUri(services.GetRequiredService<IOptions<TwitterBotOptions>>().Value.Api.UploadUrl!))
            .AddHttpMessageHandler<OAuth1SigningHandler>();
        // The download's own deadline (Processor:Replies:MediaDownloadTimeout) covers the body too, which HttpClient.Timeout does not.
        builder.Services.AddHttpClient<MediaDownloadClient>(http => http.Timeout = Timeout.InfiniteTimeSpan)
            .ConfigurePrimaryHttpMessageHandler(MediaDownloadClient.CreateHandler);
        return builder;
    }

    /// <summary>
    /// The conversation store named by <c>Processor:Store:Kind</c>: PostgreSQL (shared by every replica) or
    /// memory (one replica only). Chosen from the validated options when first needed, and prepared before
    /// the bus starts consuming.
    /// </summary>
    public static IHostApplicationBuilder AddConversations(this IHostApplicationBuilder builder)
    {
        builder.Services.AddSingleton(services => NpgsqlDataSource.Create(services.GetRequiredService<IOptions<ProcessorOptions>>().Value.Store.ConnectionString!));
        builder.Services.AddSingleton<IConversationStore>(services =>
            services.GetRequiredService<IOptions<ProcessorOptions>>().Value.Store.Kind == ConversationStoreOptions.InMemory
                ? ActivatorUtilities.CreateInstance<InMemoryConversationStore>(services)
                : ActivatorUtilities.CreateInstance<PostgresConversationStore>(services));
        builder.Services.AddHealthChecks().AddCheck<ConversationStoreHealthCheck>("conversation-store", tags: [HealthEndpointExtensions.ReadyTag]);
        builder.Services.AddHostedService<ConversationStoreMaintenance>();
        builder.Services.AddHostedService<BotTokensFirstSeen>();
        builder.Services.AddTransient<ConversationTurn>();
        builder.Services.AddSingleton<RateLimits>();
        builder.Services.AddSingleton<BotAccess>();
        builder.Services.AddSingleton<ProcessorTelemetry>();
        return builder;
    }

    public static IHostApplicationBuilder AddMessaging(this IHostApplicationBuilder builder)
    {
        builder.Services.AddDurableQueuesCheck();
        builder.Services.AddMassTransit(bus =>
        {
            bus.SetKebabCaseEndpointNameFormatter();
            bus.AddConsumeObserver<DeadLetterObserver>();
            bus.AddConversationSaga().ExcludeFromConfigureEndpoints();
            bus.AddConsumer<BotAccessRevokedConsumer, BotAccessRevokedConsumerDefinition>();
            bus.AddConsumer<ReplayJobStatusReportedConsumer, ReplayJobStatusReportedConsumerDefinition>();
            bus.AddConfigureEndpointsCallback((_, queue, endpoint) =>
            {
                if (endpoint is IRabbitMqReceiveEndpointConfigurator rabbit)
                {
                    DurableQueues.Configure(rabbit, queue);
                }
            });
            bus.UsingRabbitMq((context, rabbit) =>
            {
                var options = context.GetRequiredService<IOptions<RabbitMqOptions>>().Value;
                rabbit.Host(options, "twitterbot-processor");
                rabbit.UseParkingQueues();
                rabbit.RouteConversations(options.ConversationPartitions);
                foreach (var partition in DurableQueues.ConversationPartitions(options.ConversationPartitions))
                {
                    rabbit.ReceiveEndpoint(partition, endpoint => ConversationStateDefinition.ConfigurePartition(endpoint, partition, context));
                }

                rabbit.ConfigureEndpoints(context);
            });
        });
        return builder;
    }

    /// <summary>A base address that relative paths extend instead of replace (<c>…/1.1</c> → <c>…/1.1/</c>).</summary>
    public static Uri DirectoryUri(string url) => new(url.EndsWith('/') ? url : url + "/");
}
