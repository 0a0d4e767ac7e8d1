namespace TwitterBot.Processor.XChat.Protocol;

/// <summary>
/// XChat conversation ids. A one-to-one id is the two user ids ordered numerically: <c>min:max</c> in events and in
/// everything signed, <c>min-max</c> in REST paths; group ids start with <c>g</c> and pass through unchanged.
/// </summary>
public static class XChatConversationId
{
    /// <summary>The canonical one-to-one id of two user ids (<c>min:max</c>).</summary>
    public static string Pair(string userA, string userB)
    {
        if (!IsUserId(userA) || !IsUserId(userB))
            throw new ArgumentException("User ids are decimal digits.", nameof(userA));
        return Before(userA, userB) ? $"{userA}:{userB}" : $"{userB}:{userA}";
    }

    /// <summary>
    /// The canonical (signed) form of any id the API hands out: <c>a:b</c> or <c>a-b</c> in either order become
    /// <c>min:max</c>; a bare user id is paired with <paramref name="selfUserId"/> when given; group and other ids
    /// are returned unchanged.
    /// </summary>
    public static string Canonical(string id, string? selfUserId = null)
    {
        ArgumentNullException.ThrowIfNull(id);
        if (TrySplit(id, out var a, out var b))
            return Pair(a, b);
        if (IsUserId(id) && selfUserId is not null && IsUserId(selfUserId))
            return Pair(id, selfUserId);
        return id;
    }

    /// <summary>The form REST paths take: <c>min-max</c> for one-to-one ids, groups unchanged.</summary>
    public static string ToUrl(string id)
    {
        ArgumentNullException.ThrowIfNull(id);
        return TrySplit(id, out var a, out var b) ? Pair(a, b).Replace(':', '-') : id;
    }

    /// <summary>Whether the id names a group conversation (<c>g…</c>).</summary>
    public static bool IsGroup(string id) => id is ['g', ..];

    /// <summary>The two user ids of a one-to-one id (either separator), in canonical order.</summary>
    public static bool TryGetParticipants(string id, out string first, out string second)
    {
        first = second = "";
        if (!TrySplit(id, out var a, out var b))
            return false;
        (first, second) = Before(a, b) ? (a, b) : (b, a);
        return true;
    }

    /// <summary>The other participant of a one-to-one conversation, or null (group, or <paramref name="selfUserId"/> not in it).</summary>
    public static string? OtherParticipant(string id, string selfUserId)
    {
        if (!TryGetParticipants(id, out var a, out var b))
            return null;
        if (a == selfUserId)
            return b;
        return b == selfUserId ? a : null;
    }

    private static bool TrySplit(string id, out string a, out string b)
    {
        a = b = "";
        var separator = id.IndexOfAny([':', '-']);
        if (separator <= 0)
            return false;
        a = id[..separator];
        b = id[(separator + 1)..];
        return IsUserId(a) && IsUserId(b);
    }

    // Decimal ids compare by length, then lexically: numeric order for any size, no parsing.
    private static bool Before(string a, string b) =>
        a.Length != b.Length ? a.Length < b.Length : string.CompareOrdinal(a, b) <= 0;

    private static bool IsUserId(string value) => value.Length is > 0 and <= 20 && value.All(char.IsAsciiDigit);
}
