using FluentValidation;
using TwitterBot.ServiceDefaults;

namespace TwitterBot.Processor.Options;

/// <summary>
/// The <c>TwitterBot:XChat</c> section: XChat (X's end-to-end encrypted DMs) for the bots listed in it. The values
/// whose names end in <c>Secret</c> are secrets: they are never logged, never put in a span or an exception message,
/// and the specs' process runner masks them (<c>RunningProcess.IsSecret</c>). <see cref="ToString"/> names no secret.
/// </summary>
public sealed class XChatOptions
{
    public const string Section = "TwitterBot:XChat";

    /// <summary>Length of a bot's private keys: the P-256 identity key's scalar, then the signing key's (the SDK's <c>export_keys</c>).</summary>
    public const int PrivateKeysLength = 64;

    /// <summary>Length of the key that encrypts conversation keys at rest (AES-256).</summary>
    public const int ConversationKeysSecretLength = 32;

    /// <summary>Subscribe the listed bots to <c>chat.received</c> and <c>chat.sent</c> (off: legacy DMs only).</summary>
    public bool Enabled { get; set; }

    /// <summary>Base64 of 32 random bytes: the AES-256-GCM key conversation keys are stored under (required when enabled).</summary>
    public string? ConversationKeysSecret { get; set; }

    /// <summary>
    /// Which group conversations (ids starting <c>g</c>) the bots answer: <see cref="XChatGroups.Ignore"/> none,
    /// <see cref="XChatGroups.WhenMentioned"/> (the default) a message that mentions the bot's <c>ScreenName</c>,
    /// <see cref="XChatGroups.All"/> every message.
    /// </summary>
    public string Groups { get; set; } = XChatGroups.WhenMentioned;

    /// <summary>The bots that speak XChat, each with its private keys; a bot of <c>TwitterBot:Bots</c> not listed here speaks legacy DMs only.</summary>
    public IList<XChatBotOptions> Bots { get; init; } = [];

    /// <summary>Whether <paramref name="botUserId"/> speaks XChat: enabled, and listed.</summary>
    public bool IsEnabledFor(string? botUserId) =>
        Enabled && botUserId is not null && Bots.Any(bot => string.Equals(bot.UserId, botUserId, StringComparison.Ordinal));

    /// <summary>The bot's keys, when it speaks XChat.</summary>
    public XChatBotOptions? For(string? botUserId) =>
        Enabled ? Bots.FirstOrDefault(bot => botUserId is not null && string.Equals(bot.UserId, botUserId, StringComparison.Ordinal)) : null;

    /// <summary>The 32 bytes of <see cref="ConversationKeysSecret"/> (validated on start).</summary>
    public byte[] ConversationKeysKey() => Convert.FromBase64String(ConversationKeysSecret ?? string.Empty);

    public override string ToString() => $"XChat {(Enabled ? "enabled" : "disabled")} for {Bots.Count} bot(s)";
}

/// <summary>One entry of <c>TwitterBot:XChat:Bots</c>.</summary>
public sealed class XChatBotOptions
{
    /// <summary>The bot's numeric X user id (one of <c>TwitterBot:Bots</c>).</summary>
    public string? UserId { get; set; }

    /// <summary>Base64 of the bot's 64-byte private keys (identity ‖ signing), as the key generator printed them once.</summary>
    public string? PrivateKeysSecret { get; set; }

    /// <summary>The version X registered the bot's public keys under (<c>public_key_version</c>), a positive integer.</summary>
    public string? KeyVersion { get; set; }

    /// <summary>
    /// The bot's X handle (without <c>@</c>): a group message mentions the bot when a mention in it reads <c>@ScreenName</c>
    /// (XChat's mentions carry no user id). Without it, the bot is mentioned in no group.
    /// </summary>
    public string? ScreenName { get; set; }

    /// <summary>The 64 bytes of <see cref="PrivateKeysSecret"/> (validated on start). The caller clears them when done.</summary>
    public byte[] PrivateKeys() => Convert.FromBase64String(PrivateKeysSecret ?? string.Empty);

    /// <summary>Never the keys.</summary>
    public override string ToString() => $"XChat keys of bot {UserId}, version {KeyVersion}";
}

/// <summary>The values of <c>TwitterBot:XChat:Groups</c>.</summary>
public static class XChatGroups
{
    public const string Ignore = nameof(Ignore);
    public const string WhenMentioned = nameof(WhenMentioned);
    public const string All = nameof(All);

    public static readonly IReadOnlyList<string> Values = [Ignore, WhenMentioned, All];
}

public sealed class XChatOptionsValidator : AbstractValidator<XChatOptions>
{
    public XChatOptionsValidator()
    {
        // The messages name the key and the expected shape; never the value.
        RuleFor(o => o.ConversationKeysSecret).Required().When(o => o.Enabled);
        RuleFor(o => o.ConversationKeysSecret)
            .Must(secret => DecodesTo(secret, XChatOptions.ConversationKeysSecretLength))
            .When(o => !string.IsNullOrEmpty(o.ConversationKeysSecret))
            .WithMessage($"must be base64 of exactly {XChatOptions.ConversationKeysSecretLength} random bytes (e.g. `openssl rand -base64 32`).");
        RuleFor(o => o.Groups)
            .Must(groups => XChatGroups.Values.Contains(groups, StringComparer.Ordinal))
            .WithMessage($"must be one of {string.Join(", ", XChatGroups.Values)}.");
        RuleFor(o => o.Bots).NotEmpty().When(o => o.Enabled)
            .WithMessage("must list at least one bot (UserId, PrivateKeysSecret, KeyVersion) when TwitterBot:XChat:Enabled is true.");
        RuleForEach(o => o.Bots).ChildRules(bot =>
        {
            bot.RuleFor(b => b.UserId).NumericId();
            bot.RuleFor(b => b.PrivateKeysSecret).Required();
            bot.RuleFor(b => b.PrivateKeysSecret)
                .Must(secret => DecodesTo(secret, XChatOptions.PrivateKeysLength))
                .When(b => !string.IsNullOrEmpty(b.PrivateKeysSecret))
                .WithMessage($"must be base64 of exactly {XChatOptions.PrivateKeysLength} bytes (the identity key, then the signing key).");
            bot.RuleFor(b => b.KeyVersion)
                .Must(version => ulong.TryParse(version, System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out var number) && number > 0)
                .WithMessage("must be the positive integer X registered the bot's public keys under (public_key_version).");
            bot.RuleFor(b => b.ScreenName)
                .Matches("^[A-Za-z0-9_]{1,15}$")
                .When(b => b.ScreenName is not null)
                .WithMessage("must be the bot's X handle without @ (1 to 15 letters, digits or _).");
        });
        RuleFor(o => o.Bots)
            .Must(bots => bots.Select(b => b.UserId).Distinct(StringComparer.Ordinal).Count() == bots.Count)
            .WithMessage("must not list the same UserId twice.");
    }

    private static bool DecodesTo(string? base64, int length)
    {
        Span<byte> buffer = stackalloc byte[128];
        return base64 is { Length: > 0 and <= 172 }
            && Convert.TryFromBase64String(base64, buffer, out var written)
            && written == length;
    }
}
