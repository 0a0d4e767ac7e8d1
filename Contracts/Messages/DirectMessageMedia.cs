namespace TwitterBot.Contracts;

/// <summary>A media attachment of a DM. <see cref="Url"/> is X's https URL (fetching it needs OAuth).</summary>
public sealed record DirectMessageMedia(string Id, string Type, string Url);
