using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;

namespace TwitterBot.ServiceDefaults;

public static class StartupValidation
{
    /// <summary>
    /// Builds the app and validates every option registered with <c>ValidateOnStart</c> at once. The host
    /// would do so only after creating its hosted services, and creating the bus already reads options:
    /// validating here reports every bad configuration key together, not just the bus's.
    /// </summary>
    public static WebApplication BuildValidated(this WebApplicationBuilder builder)
    {
        var app = builder.Build();
        app.Services.GetRequiredService<IStartupValidator>().Validate();
        return app;
    }
}
