namespace TwitterBot.Contracts;

/// <summary>Where X says a conversation was initiated: a Tweet's DM prompt and/or a Welcome Message.</summary>
public sealed record DirectMessageOrigin(string? TweetId, string? WelcomeMessageId);
