using Microsoft.Extensions.Options;
using TwitterBot.ServiceDefaults;

namespace TwitterBot.Processor.DeadLetters;

public static class DeadLetterExtensions
{
    /// <summary>The dead-letter queues of <c>Messaging:Rabbit</c>, validated (by key) when a verb first asks.</summary>
    public static IHostApplicationBuilder AddDeadLetterQueues(this IHostApplicationBuilder builder)
    {
        builder.Services.AddTransient(services => new DeadLetterQueues(services.GetRequiredService<IOptions<RabbitMqOptions>>().Value, services.GetRequiredService<TimeProvider>()));
        return builder;
    }
}
