using MassTransit;
using MassTransit.Saga;
using Microsoft.Extensions.Options;
using TwitterBot.Processor.Options;

namespace TwitterBot.Processor.Conversations.Saga;

/// <summary>
/// The conversation saga's repository, chosen from <c>Processor:Store:Kind</c> when first needed (as the
/// conversation store is): ours on PostgreSQL, or MassTransit's in-memory one (one replica only). MassTransit
/// resolves this per consume scope, so the in-memory sagas themselves are a singleton.
/// </summary>
public sealed class ConversationSagaRepositoryContextFactory(
    IOptions<ProcessorOptions> options,
    IServiceProvider services,
    IndexedSagaDictionary<ConversationState> inMemory,
    ISagaConsumeContextFactory<PostgresConversationSagaStore, ConversationState> factory,
    TurnFinishing finishing)
    : ISagaRepositoryContextFactory<ConversationState>, ILoadSagaRepositoryContextFactory<ConversationState>
{
    private readonly Lazy<ISagaRepositoryContextFactory<ConversationState>> _chosen = new(() =>
        options.Value.Store.Kind == ConversationStoreOptions.InMemory
            ? new InMemorySagaRepositoryContextFactory<ConversationState>(
                inMemory, new InMemorySagaConsumeContextFactory<ConversationState>())
            : new PostgresConversationSagaRepositoryContextFactory(services.GetRequiredService<PostgresConversationSagaStore>(), factory, finishing));

    public Task Send<T>(ConsumeContext<T> context, IPipe<SagaRepositoryContext<ConversationState, T>> next) where T : class =>
        _chosen.Value.Send(context, next);

    public Task SendQuery<T>(ConsumeContext<T> context, ISagaQuery<ConversationState> query, IPipe<SagaRepositoryQueryContext<ConversationState, T>> next)
        where T : class =>
        _chosen.Value.SendQuery(context, query, next);

    public Task<T> Execute<T>(Func<LoadSagaRepositoryContext<ConversationState>, Task<T>> asyncMethod, CancellationToken cancellationToken = default)
        where T : class =>
        ((ILoadSagaRepositoryContextFactory<ConversationState>)_chosen.Value).Execute(asyncMethod, cancellationToken);

    public void Probe(ProbeContext context) => _chosen.Value.Probe(context);
}
