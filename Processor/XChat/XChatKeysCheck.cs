using System.Text.Json;
using Microsoft.Extensions.Options;
using TwitterBot.Processor.Clients.X;
using TwitterBot.Processor.Options;
using TwitterBot.Processor.XAccount;
using TwitterBot.Processor.XChat.Protocol;

namespace TwitterBot.Processor.XChat;

/// <summary>
/// <c>doctor</c>'s XChat line per bot: the public keys derived from the bot's configured private keys
/// (<c>TwitterBot:XChat:Bots:N:PrivateKeysSecret</c>) are what X serves for it at its configured version, bound by
/// their identity signature. Only compares public halves; nothing secret is shown.
/// </summary>
public sealed class XChatKeysCheck(XChatClient client, IOptions<XChatOptions> options)
{
    /// <returns>The check; null when the bot does not speak XChat.</returns>
    public async Task<DoctorCheck?> CheckAsync(string botUserId, XUserToken token, CancellationToken cancellationToken)
    {
        if (options.Value.For(botUserId) is not { } configured)
        {
            return null;
        }

        var name = $"Bot {botUserId} XChat keys";
        var setting = $"{XChatOptions.Section}:Bots:{options.Value.Bots.IndexOf(configured)}";
        IReadOnlyList<Clients.X.XChatPublicKey> served;
        try
        {
            served = await client.GetPublicKeysAsync(botUserId, token, cancellationToken);
        }
        catch (Exception failure) when (failure is XApiException or XOutcomeUnknownException or HttpRequestException or TaskCanceledException or JsonException)
        {
            return new(name, CheckOutcome.Failed, "X refused to serve the bot's XChat public keys.", XAdvice.For(failure));
        }

        if (served.FirstOrDefault(key => key.PublicKeyVersion == configured.KeyVersion) is not
            { PublicKey: { } identity, SigningPublicKey: { } signing, IdentityPublicKeySignature: { } binding })
        {
            var versions = served.Select(key => key.PublicKeyVersion).Where(v => v is not null).ToList();
            return new(name, CheckOutcome.Failed,
                $"X serves no XChat public keys of the bot at version {configured.KeyVersion}" + (versions.Count > 0 ? $" (it serves {string.Join(", ", versions)})." : " (it serves none)."),
                $"Set {setting}:KeyVersion to the version X registered the bot's keys under, or register them (`xchat keys generate {botUserId}` for a bot with none).");
        }

        XChatUserPublicKeys servedKeys;
        try
        {
            servedKeys = XChatUserPublicKeys.FromServed(botUserId, configured.KeyVersion!, identity, signing, binding);
        }
        catch (XChatProtocolException refused)
        {
            return new(name, CheckOutcome.Failed, $"X serves keys for the bot that do not parse ({refused.Reason}).", "Register the bot's public keys again.");
        }

        using var pair = XChatInbox.ImportKeys(configured);
        return pair.Matches(servedKeys)
            ? new(name, CheckOutcome.Ok, $"The public keys derived from {setting}:PrivateKeysSecret are the ones X serves at version {configured.KeyVersion}.")
            : new(name, CheckOutcome.Failed, $"The public keys derived from {setting}:PrivateKeysSecret are not the ones X serves at version {configured.KeyVersion}: users' messages cannot be opened, nor the bot's replies verified.",
                $"Set {setting}:PrivateKeysSecret to the blob registered at that version, or register the configured keys' public half again.");
    }
}
