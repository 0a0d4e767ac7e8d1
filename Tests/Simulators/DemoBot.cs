using System.Text.Json.Nodes;

namespace TwitterBot.Simulators;

/// <summary>
/// A tiny scripted chatbot behind the gateway contract, for the sandbox: a welcome on <c>START</c>, a menu
/// with quick replies, an image, and an echo of anything else.
/// </summary>
public static class DemoBot
{
    public const string Menu = "menu";

    /// <summary>The bot's <c>responses</c> to one user text (<paramref name="gateway"/> serves the image).</summary>
    public static JsonArray React(string text, FakeGateway gateway) => text.Trim().ToLowerInvariant() switch
    {
        "start" => [Say("Hi! I am the TwitterBot sandbox's demo bot. Type menu to see what I can do."), MenuReply()],
        Menu or "help" => [MenuReply()],
        "echo" or "echo me" => [Say("Say anything and I will say it back.")],
        "picture" or "a picture" or "cat" or "image" => [new JsonObject
        {
            ["text"] = "Here is a cat.",
            ["attachments"] = new JsonArray(new JsonObject { ["type"] = "image", ["url"] = gateway.CatPictureUrl.ToString() }),
        }],
        "bye" => [Say("Bye! Write again any time."), new JsonObject { ["type"] = "end_conversation" }],
        _ => [Say($"You said: {text}")],
    };

    private static JsonObject Say(string text) => new() { ["text"] = text };

    private static JsonObject MenuReply() => new()
    {
        ["text"] = "What would you like?",
        ["quick_replies"] = new JsonArray(
            new JsonObject { ["title"] = "A picture", ["payload"] = "picture" },
            new JsonObject { ["title"] = "Echo me", ["payload"] = "echo" },
            new JsonObject { ["title"] = "Bye", ["payload"] = "bye" }),
    };
}
