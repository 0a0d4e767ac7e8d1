namespace TwitterBot.Contracts;

/// <summary>Where a hand-over came from. Numbers are on the wire: never renumber.</summary>
public enum HandOverSource
{
    /// <summary>The gateway's flow handed over to an agent; the gateway keeps relaying.</summary>
    Gateway = 0,

    /// <summary>A person at the brand answered from the X app.</summary>
    XApp = 1,
}
