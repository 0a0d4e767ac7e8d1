using System.Collections.Frozen;
using Microsoft.Extensions.Options;

namespace TwitterBot.Conventions.Accounts;

/// <summary>The configured bot accounts, by numeric X user id.</summary>
public sealed class BotAccounts(IOptions<TwitterBotOptions> options)
{
    private readonly FrozenDictionary<string, BotOptions> _byUserId =
        options.Value.Bots.ToFrozenDictionary(bot => bot.UserId!, StringComparer.Ordinal);

    public BotOptions? Find(string? userId) =>
        userId is not null && _byUserId.TryGetValue(userId, out var bot) ? bot : null;
}
