using FluentValidation;
using TwitterBot.ServiceDefaults;

namespace TwitterBot.Conventions.Accounts;

/// <summary>
/// The <c>TwitterBot</c> configuration section: the original component's <c>chatbots.twitter-bot.*</c>
/// keys, mapped 1:1 (see README, "Configuration"). Its parts: <see cref="TwitterAuthOptions"/>,
/// <see cref="TwitterApiOptions"/>, <see cref="BotOptions"/>.
/// </summary>
public sealed class TwitterBotOptions
{
    public const string Section = "TwitterBot";

    public TwitterAuthOptions Auth { get; set; } = new();

    public TwitterApiOptions Api { get; set; } = new();

    public IList<BotOptions> Bots { get; init; } = [];
}

/// <summary>
/// What every service needs of the <c>TwitterBot</c> section: the consumer secret and the bot accounts.
/// The Ingress validates only this (it holds no user tokens); the Processor adds its own rules.
/// </summary>
public class TwitterBotOptionsRules : AbstractValidator<TwitterBotOptions>
{
    public TwitterBotOptionsRules()
    {
        RuleFor(o => o.Auth.ConsumerSecret).Required();
        RuleFor(o => o.Bots).NotEmpty().WithMessage("must list at least one bot account (UserId, BotId, AccessToken, AccessSecret).");
        RuleForEach(o => o.Bots).ChildRules(bot =>
        {
            bot.RuleFor(b => b.UserId).NumericId();
            bot.RuleFor(b => b.BotId).Required().MaximumLength(64).WithMessage("must be at most 64 characters (the gateway's uuid).");
        });
        RuleFor(o => o.Bots)
            .Must(bots => bots.Select(b => b.UserId).Distinct(StringComparer.Ordinal).Count() == bots.Count)
            .WithMessage("must not list the same UserId twice.");
    }
}
