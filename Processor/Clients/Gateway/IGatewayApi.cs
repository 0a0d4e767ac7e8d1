using Refit;

namespace TwitterBot.Processor.Clients.Gateway;

/// <summary>
/// The gateway's one endpoint as a source-generated Refit client. The body comes back as text so that
/// <see cref="GatewayAnswers.Read"/> reads it leniently and <see cref="GatewayClient"/> classifies every failure itself.
/// </summary>
public interface IGatewayApi
{
    [Post("/gateway")]
    Task<IApiResponse<string>> AskAsync([Body] GatewayRequest request, CancellationToken cancellationToken);
}
