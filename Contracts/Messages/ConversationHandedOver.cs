namespace TwitterBot.Contracts;

/// <summary>
/// The conversation was handed over to a human: the bot's flow reached a <c>redirect</c> to <c>agent</c>
/// (<see cref="HandOverSource.Gateway"/>), or a person at the brand answered the user from the X app
/// (<see cref="HandOverSource.XApp"/>, the bot pauses). Whoever staffs the account should take it from here.
/// </summary>
public sealed record ConversationHandedOver
{
    public required string BotUserId { get; init; }

    public required string BotId { get; init; }

    public required string UserId { get; init; }

    /// <summary>The X event that handed the conversation over: the user's DM the gateway answered, or the human's DM.</summary>
    public required string EventId { get; init; }

    /// <summary>Who took the conversation; absent in messages from before it existed, which were all the gateway's.</summary>
    public HandOverSource Source { get; init; } = HandOverSource.Gateway;

    /// <summary>Until when the bot leaves the conversation to the human (an <see cref="HandOverSource.XApp"/> hand-over); null when it does not pause.</summary>
    public DateTimeOffset? HumanUntil { get; init; }
}
