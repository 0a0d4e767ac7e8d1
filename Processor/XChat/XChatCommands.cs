using System.CommandLine;
using TwitterBot.Conventions.Accounts;
using TwitterBot.Processor.Clients.X;
using TwitterBot.Processor.CommandLine;
using TwitterBot.Processor.XAccount;
using TwitterBot.Processor.XChat.Protocol;

namespace TwitterBot.Processor.XChat;

/// <summary>
/// <c>xchat keys generate &lt;bot-user-id&gt;</c>: for a bot X serves no XChat keys for, generates a key pair, registers
/// its public half with X (<c>POST /2/users/{id}/public_keys</c>, X assigning the version) and prints the private blob
/// once, with the version, for the operator to store as <c>TwitterBot:XChat:Bots:N:PrivateKeysSecret</c> and
/// <c>…:KeyVersion</c>. The blob is printed nowhere else and never logged.
/// </summary>
public static class XChatCommands
{
    public static IEnumerable<Command> Create(VerbRunner runner)
    {
        var bot = new Argument<string>("bot-user-id") { Description = "The bot account (one of TwitterBot:Bots) to give XChat keys." };
        var generate = new Command("generate", "Generate XChat keys for a bot that has none, register their public half with X, and print the private blob once.") { bot };
        runner.Runs(generate, async (verb, cancellationToken) =>
        {
            var userId = verb.Value(bot)!;
            if (verb.Get<BotAccounts>().Find(userId) is not { } account)
            {
                await verb.Output.WriteLineAsync($"Bot {userId} is not one of TwitterBot:Bots: its tokens are needed to register its keys.");
                return ExitCodes.Invalid;
            }

            var token = new XUserToken(account.AccessToken!, account.AccessSecret!);
            var client = verb.Get<XChatClient>();
            var served = await client.GetPublicKeysAsync(userId, token, cancellationToken);
            if (served.Count > 0)
            {
                await verb.Output.WriteLineAsync(
                    $"X already serves XChat keys for bot {userId} (version {string.Join(", ", served.Select(k => k.PublicKeyVersion))}): nothing was generated. "
                    + "Configure the blob registered then (`doctor` checks it); new keys would leave the bot's conversations unreadable.");
                return ExitCodes.Failed;
            }

            using var generated = XChatKeyPair.Generate("1");
            var registration = generated.CreateRegistration();
            var version = await client.RegisterPublicKeyAsync(
                userId,
                new XChatNewPublicKey(registration.PublicKey, registration.SigningPublicKey, registration.IdentityPublicKeySignature,
                    registration.SigningPublicKeySignature, registration.PublicKeyFingerprint, registration.RegistrationMethod),
                registration.Version, registration.GenerateVersion, token, cancellationToken);
            if (version is not { Length: > 0 })
            {
                await verb.Output.WriteLineAsync($"X took bot {userId}'s keys but named no version; run `doctor` after asking X which version it registered.");
                return ExitCodes.Failed;
            }

            await verb.Output.WriteLineAsync($"Registered XChat public keys for bot {userId} at version {version}. Store these now (shown once):");
            await verb.Output.WriteLineAsync($"  TwitterBot:XChat:Bots:N:UserId={userId}");
            await verb.Output.WriteLineAsync($"  TwitterBot:XChat:Bots:N:KeyVersion={version}");
            await verb.Output.WriteLineAsync($"  TwitterBot:XChat:Bots:N:PrivateKeysSecret={generated.ExportBlob()}");
            return ExitCodes.Done;
        }, Explain);

        var keys = new Command("keys", "The bots' XChat key pairs.") { generate };
        return [new Command("xchat", "XChat (end-to-end encrypted DMs).") { keys }];
    }

    private static VerbFailure? Explain(Exception failure) => failure switch
    {
        XApiException or XOutcomeUnknownException or HttpRequestException => new(ExitCodes.Failed, $"X refused or did not answer: {XAdvice.For(failure)}"),
        _ => null,
    };
}
