using System.Security.Cryptography;
using Npgsql;

namespace TwitterBot.Processor.XChat;

/// <summary>
/// The <c>xchat_conversation_keys</c> table (created with the others, <c>PostgresConversationStorage.EnsureSchemaAsync</c>):
/// each key sealed by <see cref="ConversationKeySealer"/>, so that the table never holds a key in the clear. Shared by
/// every replica; a row is inserted once and never updated.
/// </summary>
public sealed class PostgresXChatConversationKeys(NpgsqlDataSource database, ConversationKeySealer sealer, TimeProvider time) : IXChatConversationKeys
{
    public async Task<ConversationKeyAdded> AddAsync(string botUserId, string conversationId, long keyVersion, ReadOnlyMemory<byte> key, CancellationToken cancellationToken)
    {
        var stored = ConversationKeySealer.StoredConversationId(conversationId);
        var (nonce, sealedKey) = sealer.Seal(botUserId, stored, keyVersion, key.Span);
        await using (var insert = database.CreateCommand("""
            INSERT INTO xchat_conversation_keys (bot_user_id, conversation_id, key_version, nonce, sealed_key, created_at)
            VALUES ($1, $2, $3, $4, $5, $6)
            ON CONFLICT (bot_user_id, conversation_id, key_version) DO NOTHING
            """))
        {
            insert.Parameters.Add(new NpgsqlParameter<string> { TypedValue = botUserId });
            insert.Parameters.Add(new NpgsqlParameter<string> { TypedValue = stored });
            insert.Parameters.Add(new NpgsqlParameter<long> { TypedValue = keyVersion });
            insert.Parameters.Add(new NpgsqlParameter<byte[]> { TypedValue = nonce });
            insert.Parameters.Add(new NpgsqlParameter<byte[]> { TypedValue = sealedKey });
            insert.Parameters.Add(new NpgsqlParameter<DateTimeOffset> { TypedValue = time.GetUtcNow() });
            if (await insert.ExecuteNonQueryAsync(cancellationToken) == 1)
            {
                return ConversationKeyAdded.Added;
            }
        }

        var known = await FindAsync(botUserId, stored, keyVersion, cancellationToken)
            ?? throw new InvalidOperationException("An XChat conversation key row conflicted on insert but cannot be read back.");
        try
        {
            return CryptographicOperations.FixedTimeEquals(known, key.Span) ? ConversationKeyAdded.AlreadyKnown : ConversationKeyAdded.Conflicting;
        }
        finally
        {
            CryptographicOperations.ZeroMemory(known);
        }
    }

    public async Task<byte[]?> FindAsync(string botUserId, string conversationId, long keyVersion, CancellationToken cancellationToken)
    {
        var stored = ConversationKeySealer.StoredConversationId(conversationId);
        await using var command = database.CreateCommand("""
            SELECT nonce, sealed_key FROM xchat_conversation_keys
            WHERE bot_user_id = $1 AND conversation_id = $2 AND key_version = $3
            """);
        command.Parameters.Add(new NpgsqlParameter<string> { TypedValue = botUserId });
        command.Parameters.Add(new NpgsqlParameter<string> { TypedValue = stored });
        command.Parameters.Add(new NpgsqlParameter<long> { TypedValue = keyVersion });
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        return await reader.ReadAsync(cancellationToken)
            ? sealer.Open(botUserId, stored, keyVersion, (byte[])reader[0], (byte[])reader[1])
            : null;
    }

    public async Task<XChatConversationKey?> CurrentAsync(string botUserId, string conversationId, CancellationToken cancellationToken)
    {
        var stored = ConversationKeySealer.StoredConversationId(conversationId);
        await using var command = database.CreateCommand("""
            SELECT key_version, nonce, sealed_key FROM xchat_conversation_keys
            WHERE bot_user_id = $1 AND conversation_id = $2
            ORDER BY key_version DESC LIMIT 1
            """);
        command.Parameters.Add(new NpgsqlParameter<string> { TypedValue = botUserId });
        command.Parameters.Add(new NpgsqlParameter<string> { TypedValue = stored });
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        if (!await reader.ReadAsync(cancellationToken))
        {
            return null;
        }

        var version = reader.GetInt64(0);
        return new XChatConversationKey(version, sealer.Open(botUserId, stored, version, (byte[])reader[1], (byte[])reader[2]));
    }
}
