using System.Globalization;
using System.Text;
using System.Text.Json.Nodes;

namespace TwitterBot.Simulators;

/// <summary>
/// The account's own DMs echoed to the webhook, as X does for every DM the account sends (Account Activity's
/// <c>message_create</c> from the account, X Activity's <c>dm.sent</c>): the bot's sends, and a person's at the brand
/// answering from the X app (<see cref="AnswerAsBrandAsync"/>).
/// </summary>
public sealed partial class FakeXApi
{
    /// <summary>
    /// Where echoes go (a POST to the Ingress's webhook, signed); none when null. A send's echo is posted before the
    /// send is answered, as X may deliver it: the echo can race the Processor's record of the send.
    /// </summary>
    public Func<byte[], Task>? EchoTo { get; set; }

    /// <summary>A person at the brand writes <paramref name="text"/> to <paramref name="userId"/> in the X app: stored in the account's DMs, echoed.</summary>
    /// <returns>The DM's id.</returns>
    public async Task<string> AnswerAsBrandAsync(string userId, string text, string? senderToken = null)
    {
        var token = senderToken ?? App.Bot.AccessToken;
        var at = Now;
        var id = DeliverFromApp(token, userId, text, at);
        await EchoAsync(SenderOf(token), id, userId, text, at);
        return id;
    }

    /// <summary>The Account Activity delivery of the account's DM <paramref name="id"/> to <paramref name="recipientId"/>.</summary>
    public static byte[] Echo(string botUserId, string id, string recipientId, string text, DateTimeOffset at)
    {
        var delivery = new JsonObject
        {
            ["for_user_id"] = botUserId,
            ["direct_message_events"] = new JsonArray(new JsonObject
            {
                ["type"] = "message_create",
                ["id"] = id,
                ["created_timestamp"] = at.ToUnixTimeMilliseconds().ToString(CultureInfo.InvariantCulture),
                ["message_create"] = new JsonObject
                {
                    ["target"] = new JsonObject { ["recipient_id"] = recipientId },
                    ["sender_id"] = botUserId,
                    ["message_data"] = new JsonObject { ["text"] = text },
                },
            }),
        };
        return Encoding.UTF8.GetBytes(delivery.ToJsonString());
    }

    private Task EchoSentAsync(string id, SentDirectMessage dm) => EchoAsync(SenderOf(dm.SenderToken), id, dm.RecipientId, dm.Text, Now);

    private Task EchoAsync(string botUserId, string id, string recipientId, string text, DateTimeOffset at) =>
        EchoTo is { } post ? post(Echo(botUserId, id, recipientId, text, at)) : Task.CompletedTask;
}
