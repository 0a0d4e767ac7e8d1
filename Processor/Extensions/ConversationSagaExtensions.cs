using MassTransit;
using MassTransit.Configuration;
using MassTransit.Saga;
using TwitterBot.Processor.Conversations;
using TwitterBot.Processor.Conversations.Saga;
using TwitterBot.Processor.Options;
using TwitterBot.ServiceDefaults;

namespace TwitterBot.Processor.Extensions;

public static class ConversationSagaExtensions
{
    /// <summary>
    /// What the conversation saga needs besides its registration on the bus: its setting, its PostgreSQL table
    /// (created before the bus starts consuming: a step the bus's start waits for, <see cref="IBeforeBusStart"/>),
    /// its expiry, and the activity that takes a turn.
    /// </summary>
    public static IHostApplicationBuilder AddConversationSagas(this IHostApplicationBuilder builder)
    {
        builder.Services.AddValidatedOptions<ConversationOptions, ConversationOptionsValidator>(ConversationOptions.Section);
        builder.Services.AddSingleton<PostgresConversationSagaStore>();
        builder.Services.AddSingleton<IndexedSagaDictionary<ConversationState>>();
        builder.Services.AddBeforeBusStart<ConversationSagaMaintenance>();
        builder.Services.AddScoped<TurnFinishing>();
        builder.Services.AddScoped<TakeTurnActivity>();
        builder.Services.AddScoped<RecallEarlierTurnsActivity>();
        builder.Services.AddScoped<RecognizeEchoActivity>();
        builder.Services.AddSingleton<HumanHandOverTelemetry>();
        return builder;
    }

    /// <summary>
    /// The conversation state machine, kept in the store named by <c>Processor:Store:Kind</c> (chosen when first
    /// needed, see <see cref="ConversationSagaRepositoryContextFactory"/>): PostgreSQL, through our own repository
    /// (MassTransit's persistence packages are not served), or MassTransit's in-memory repository.
    /// </summary>
    public static ISagaRegistrationConfigurator<ConversationState> AddConversationSaga(this IBusRegistrationConfigurator bus) =>
        bus.AddSagaStateMachine<ConversationStateMachine, ConversationState, ConversationStateDefinition>()
            .Repository(repository =>
            {
                repository.RegisterLoadSagaRepository<ConversationState, ConversationSagaRepositoryContextFactory>();
                repository.RegisterSagaRepository<ConversationState, PostgresConversationSagaStore,
                    SagaConsumeContextFactory<PostgresConversationSagaStore, ConversationState>, ConversationSagaRepositoryContextFactory>();
            });
}
