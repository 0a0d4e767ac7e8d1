using FluentValidation;
using Microsoft.Extensions.Options;
using Refit;
using TwitterBot.Conventions.Accounts;
using TwitterBot.Processor.Clients.X;
using TwitterBot.Processor.Extensions;
using TwitterBot.Processor.Options;
using TwitterBot.ServiceDefaults;

namespace TwitterBot.Processor.XChat;

/// <summary>XChat's options, X client and conversation-key store; the protocol (open/seal) plugs in beside them.</summary>
public static class XChatExtensions
{
    /// <summary><c>TwitterBot:XChat</c>, validated on start; its bots must be bots of <c>TwitterBot:Bots</c>.</summary>
    public static IServiceCollection AddXChatOptions(this IServiceCollection services)
    {
        services.AddValidatedOptions<XChatOptions, XChatOptionsValidator>(XChatOptions.Section);
        services.AddSingleton<IValidateOptions<XChatOptions>, XChatBotsAreConfigured>();
        return services;
    }

    /// <summary>X's chat routes as a Refit client at the host's root of <c>TwitterBot:Api:TwitterUrl</c>, OAuth 1.0a-signed as the bot.</summary>
    public static IServiceCollection AddXChatClient(this IServiceCollection services)
    {
        services.AddRefitGeneratedClient<IXChatApi>(new RefitSettings(new SystemTextJsonContentSerializer(XChatJsonContext.Default.Options)) { Buffered = true })
            .ConfigureHttpClient((provider, http) => http.BaseAddress = new Uri(
                ProcessorExtensions.DirectoryUri(provider.GetRequiredService<IOptions<TwitterBotOptions>>().Value.Api.TwitterUrl!), "/"))
            .AddHttpMessageHandler<OAuth1SigningHandler>();
        services.AddTransient<XChatClient>();
        return services;
    }
}

/// <summary>Every bot of <c>TwitterBot:XChat:Bots</c> is one of <c>TwitterBot:Bots</c> (whose tokens it talks to X with).</summary>
internal sealed class XChatBotsAreConfigured(IOptions<TwitterBotOptions> bots) : IValidateOptions<XChatOptions>
{
    public ValidateOptionsResult Validate(string? name, XChatOptions options)
    {
        var known = bots.Value.Bots.Select(bot => bot.UserId).ToHashSet(StringComparer.Ordinal);
        var failures = options.Bots
            .Select((bot, index) => (bot, index))
            .Where(entry => entry.bot.UserId is { Length: > 0 } && !known.Contains(entry.bot.UserId))
            .Select(entry => $"{XChatOptions.Section}:Bots:{entry.index}:UserId must be the UserId of one of TwitterBot:Bots ({entry.bot.UserId} is not).")
            .ToList();
        return failures.Count > 0 ? ValidateOptionsResult.Fail(failures) : ValidateOptionsResult.Success;
    }
}
