using FluentValidation;
using TwitterBot.Conventions.Accounts;
using TwitterBot.ServiceDefaults;

namespace TwitterBot.Processor.Options;

/// <summary>The Processor talks to X as every bot account, so it needs all the credentials.</summary>
public sealed class ProcessorOptionsRules : TwitterBotOptionsRules
{
    public ProcessorOptionsRules()
    {
        RuleFor(o => o.Auth.ConsumerKey).Required();
        RuleFor(o => o.Api.TwitterUrl).AbsoluteHttpUrl();
        RuleFor(o => o.Api.UploadUrl).AbsoluteHttpUrl();
        RuleFor(o => o.Api.WebhookUrl).AbsoluteHttpUrl().When(o => !string.IsNullOrEmpty(o.Api.WebhookUrl));
        RuleFor(o => o.Api.Version).Must(version => version is TwitterApiOptions.V1 or TwitterApiOptions.V2)
            .WithMessage($"must be {TwitterApiOptions.V1} or {TwitterApiOptions.V2}.");
        RuleForEach(o => o.Bots).ChildRules(bot =>
        {
            bot.RuleFor(b => b.AccessToken).Required();
            bot.RuleFor(b => b.AccessSecret).Required();
        });
    }
}
