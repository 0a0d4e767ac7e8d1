namespace TwitterBot.Processor.Clients.X;

/// <summary>
/// X's XChat routes as the Processor uses them, every outcome classified by <see cref="XResponses"/> like the DM
/// channels': no connection is the <see cref="HttpRequestException"/> itself (nothing sent); a lost answer to a send is
/// <see cref="XOutcomeUnknownException"/> (the message may have reached X: retry with the same <c>message_id</c>, which
/// X dedupes); an error status is <see cref="XApiException"/> with its <see cref="XApiException.Kind"/> (a 5xx is
/// <see cref="XApiException.OutcomeUnknown"/>). Never logs a key, an event or a signature.
/// </summary>
public sealed class XChatClient(IXChatApi api, XClock clock)
{
    /// <summary>X's largest page of conversation events.</summary>
    public const int MaxPageSize = 100;

    /// <summary>The conversation id as X's URLs write it: a one-to-one conversation's signed <c>a:b</c> becomes <c>a-b</c>.</summary>
    public static string UrlId(string conversationId) => conversationId.Replace(':', '-');

    /// <summary>The conversation id as XChat signs it: <c>a-b</c> becomes <c>a:b</c>; a group's id is unchanged.</summary>
    public static string SignedId(string conversationId) =>
        conversationId.StartsWith('g') ? conversationId : conversationId.Replace('-', ':');

    /// <summary>The XChat public keys X serves for <paramref name="userId"/> (none when the user has not registered any).</summary>
    public async Task<IReadOnlyList<XChatPublicKey>> GetPublicKeysAsync(string userId, XUserToken bot, CancellationToken cancellationToken)
    {
        var answer = await XResponses.ReadAsync("the user's XChat public keys", () => api.GetPublicKeysAsync(userId, bot, cancellationToken), clock, cancellationToken);
        return answer.Data ?? [];
    }

    /// <summary>Registers the bot's public keys under <paramref name="version"/> (or one X assigns); returns the version X registered.</summary>
    public async Task<string?> RegisterPublicKeyAsync(
        string botUserId, XChatNewPublicKey key, string version, bool generateVersion, XUserToken bot, CancellationToken cancellationToken)
    {
        var answer = await XResponses.ReadAsync(
            "the registration of the bot's XChat public keys",
            () => api.AddPublicKeyAsync(botUserId, new XChatAddPublicKeyRequest(key, version, generateVersion ? true : null), bot, cancellationToken),
            clock,
            cancellationToken);
        return answer.Data?.PublicKeyVersion;
    }

    /// <summary>The conversation's metadata; X answers 404 (a permanent <see cref="XApiException"/>) for one the bot is not in.</summary>
    public async Task<XChatConversation?> GetConversationAsync(string conversationId, XUserToken bot, CancellationToken cancellationToken)
    {
        var answer = await XResponses.ReadAsync("the XChat conversation", () => api.GetConversationAsync(UrlId(conversationId), bot, cancellationToken), clock, cancellationToken);
        return answer.Data;
    }

    /// <summary>One page of the conversation's events (newest first) with its key changes; <paramref name="paginationToken"/> null for the first.</summary>
    public Task<XChatConversationEventsResponse> GetConversationEventsPageAsync(
        string conversationId, string? paginationToken, int pageSize, XUserToken bot, CancellationToken cancellationToken) =>
        XResponses.ReadAsync(
            "the XChat conversation's events",
            () => api.GetConversationEventsAsync(UrlId(conversationId), Math.Clamp(pageSize, 1, MaxPageSize), paginationToken, bot, cancellationToken),
            clock,
            cancellationToken);

    /// <summary>
    /// The conversation's key-change events (each once, in X's order) and its newest message events, reading at most
    /// <paramref name="maxPages"/> pages: what the Processor needs for a key it does not know yet.
    /// </summary>
    public async Task<XChatConversationHistory> GetConversationEventsAsync(
        string conversationId, int maxPages, XUserToken bot, CancellationToken cancellationToken, int pageSize = MaxPageSize)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(maxPages, 1);
        var keyChanges = new List<string>();
        var seen = new HashSet<string>(StringComparer.Ordinal);
        var messages = new List<XChatMessageEvent>();
        string? token = null;
        var pages = 0;
        do
        {
            var page = await GetConversationEventsPageAsync(conversationId, token, pageSize, bot, cancellationToken);
            pages++;
            messages.AddRange(page.Data ?? []);
            keyChanges.AddRange((page.Meta?.ConversationKeyEvents ?? []).Where(change => seen.Add(change)));
            token = page.Meta?.NextToken is { Length: > 0 } next && page.Meta.HasMore != false ? next : null;
        }
        while (token is not null && pages < maxPages);

        return new XChatConversationHistory(keyChanges, messages, Complete: token is null);
    }

    /// <summary>
    /// Sends an encrypted, signed message. Returns X's own event for it (base64), or null when X accepted it with a body
    /// it garbled. A lost answer throws <see cref="XOutcomeUnknownException"/>: resend with the same
    /// <see cref="XChatSendMessageRequest.MessageId"/>, never a new one.
    /// </summary>
    public async Task<string?> SendMessageAsync(string conversationId, XChatSendMessageRequest message, XUserToken bot, CancellationToken cancellationToken)
    {
        var sent = await XResponses.AcceptedAsync("an XChat send", () => api.SendMessageAsync(UrlId(conversationId), message, bot, cancellationToken), clock, cancellationToken);
        return sent?.Data?.EncodedMessageEvent;
    }

    /// <summary>Shows the bot typing; a typing indicator that fails is never worth a retry (the caller decides).</summary>
    public async Task SendTypingAsync(string conversationId, XUserToken bot, CancellationToken cancellationToken) =>
        await XResponses.AcceptedAsync("an XChat typing indicator", () => api.SendTypingAsync(UrlId(conversationId), bot, cancellationToken), clock, cancellationToken);
}

/// <param name="KeyChangeEvents">Every key-change event X listed (base64), each once.</param>
/// <param name="Messages">The message events read, newest first.</param>
/// <param name="Complete">False when pages were left unread (<c>maxPages</c> reached).</param>
public sealed record XChatConversationHistory(IReadOnlyList<string> KeyChangeEvents, IReadOnlyList<XChatMessageEvent> Messages, bool Complete);
