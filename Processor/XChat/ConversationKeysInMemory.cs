using System.Collections.Concurrent;
using System.Security.Cryptography;

namespace TwitterBot.Processor.XChat;

/// <summary>
/// This process's memory (<c>Processor:Store:Kind</c> <c>InMemory</c>, one replica): the keys live as long as the
/// process, like the rest of that store; nothing is at rest, so nothing is sealed.
/// </summary>
public sealed class InMemoryXChatConversationKeys : IXChatConversationKeys
{
    private readonly ConcurrentDictionary<(string Bot, string Conversation, long Version), byte[]> _keys = new();

    public Task<ConversationKeyAdded> AddAsync(string botUserId, string conversationId, long keyVersion, ReadOnlyMemory<byte> key, CancellationToken cancellationToken)
    {
        if (key.Length != ConversationKeySealer.KeyLength)
        {
            throw new ArgumentException($"An XChat conversation key is {ConversationKeySealer.KeyLength} bytes.", nameof(key));
        }

        var copy = key.ToArray();
        var known = _keys.GetOrAdd(Identity(botUserId, conversationId, keyVersion), copy);
        return Task.FromResult(ReferenceEquals(known, copy) ? ConversationKeyAdded.Added
            : CryptographicOperations.FixedTimeEquals(known, key.Span) ? ConversationKeyAdded.AlreadyKnown
            : ConversationKeyAdded.Conflicting);
    }

    public Task<byte[]?> FindAsync(string botUserId, string conversationId, long keyVersion, CancellationToken cancellationToken) =>
        Task.FromResult(_keys.TryGetValue(Identity(botUserId, conversationId, keyVersion), out var key) ? key.ToArray() : null);

    public Task<XChatConversationKey?> CurrentAsync(string botUserId, string conversationId, CancellationToken cancellationToken)
    {
        var stored = ConversationKeySealer.StoredConversationId(conversationId);
        var newest = _keys.Where(entry => entry.Key.Bot == botUserId && entry.Key.Conversation == stored)
            .OrderByDescending(entry => entry.Key.Version)
            .Select(entry => new XChatConversationKey(entry.Key.Version, entry.Value.ToArray()))
            .FirstOrDefault();
        return Task.FromResult(newest);
    }

    private static (string, string, long) Identity(string botUserId, string conversationId, long keyVersion) =>
        (botUserId, ConversationKeySealer.StoredConversationId(conversationId), keyVersion);
}
