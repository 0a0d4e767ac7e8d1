namespace TwitterBot.Contracts;

/// <summary>Which X Activity subscription delivered an XChat event. Numbers are on the wire: never renumber.</summary>
public enum ChatEventDirection
{
    /// <summary><c>chat.received</c>: the bot account received it.</summary>
    Received = 0,

    /// <summary><c>chat.sent</c>: the bot account sent it (the bot, or a person at the brand in the X app).</summary>
    Sent = 1,
}
