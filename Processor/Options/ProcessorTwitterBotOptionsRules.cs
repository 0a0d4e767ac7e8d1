using FluentValidation;
using TwitterBot.Conventions.Accounts;
using TwitterBot.ServiceDefaults;

namespace TwitterBot.Processor.Options;

/// <summary>
/// The Processor's rules for the <c>TwitterBot</c> section (<see cref="TwitterBotOptions"/>) on top of what every service
/// needs: it talks to X as every bot account, so it needs all the credentials.
/// </summary>
public sealed class ProcessorTwitterBotOptionsRules : TwitterBotOptionsRules
{
    public ProcessorTwitterBotOptionsRules()
    {
        RuleFor(o => o.Auth.ConsumerKey).Required();
        RuleFor(o => o.Api.TwitterUrl).AbsoluteHttpUrl();
        RuleFor(o => o.Api.UploadUrl).AbsoluteHttpUrl();
        RuleFor(o => o.Api.WebhookUrl).AbsoluteHttpUrl().When(o => !string.IsNullOrEmpty(o.Api.WebhookUrl));
        RuleFor(o => o.Api.Version).Must(version => version is TwitterApiOptions.V1 or TwitterApiOptions.V2)
            .WithMessage($"must be {TwitterApiOptions.V1} or {TwitterApiOptions.V2}.");
        RuleFor(o => o.Api.Subscriptions)
            .Must(s => string.Equals(s, TwitterApiOptions.AccountActivity, StringComparison.OrdinalIgnoreCase)
                || string.Equals(s, TwitterApiOptions.ActivityApi, StringComparison.OrdinalIgnoreCase))
            .WithMessage($"must be {TwitterApiOptions.AccountActivity} or {TwitterApiOptions.ActivityApi}.");
        RuleFor(o => o.Api.Version).Equal(TwitterApiOptions.V2)
            .When(o => string.Equals(o.Api.Subscriptions, TwitterApiOptions.ActivityApi, StringComparison.OrdinalIgnoreCase))
            .WithMessage($"must be {TwitterApiOptions.V2} when TwitterBot:Api:Subscriptions is {TwitterApiOptions.ActivityApi}: the X Activity API delivers v2 events, answered through v2.");
        RuleForEach(o => o.Bots).ChildRules(bot =>
        {
            bot.RuleFor(b => b.AccessToken).Required();
            bot.RuleFor(b => b.AccessSecret).Required();
        });
    }
}
