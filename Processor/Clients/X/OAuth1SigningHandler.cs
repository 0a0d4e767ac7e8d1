using System.Net.Http.Headers;
using System.Security.Cryptography;
using Microsoft.Extensions.Options;
using TwitterBot.Conventions.Accounts;

namespace TwitterBot.Processor.Clients.X;

/// <summary>A bot account's user-context token, attached to a request for <see cref="OAuth1SigningHandler"/>.</summary>
public sealed record XUserToken(string Token, string TokenSecret)
{
    /// <summary>The request option the token travels in (a Refit method's <c>[Property(PropertyKey)]</c> parameter).</summary>
    public const string PropertyKey = "TwitterBot.XUserToken";

    public static readonly HttpRequestOptionsKey<XUserToken> OptionKey = new(PropertyKey);

    /// <summary>Never print the secret (records print every member by default).</summary>
    public override string ToString() => "XUserToken { *** }";
}

/// <summary>Marks a request X expects in the app-only context: signed with <c>TwitterBot:Auth:BearerToken</c>.</summary>
public static class XAppOnly
{
    public static readonly HttpRequestOptionsKey<bool> OptionKey = new("TwitterBot.XAppOnly");
}

/// <summary>
/// Authenticates every outgoing X API request: OAuth 1.0a in the user context attached to it, or the app's
/// bearer token when the request is marked <see cref="XAppOnly"/>.
/// </summary>
public sealed class OAuth1SigningHandler(IOptions<TwitterBotOptions> options, TimeProvider time) : DelegatingHandler
{
    protected override async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
    {
        if (request.Options.TryGetValue(XAppOnly.OptionKey, out var appOnly) && appOnly)
        {
            var bearer = options.Value.Auth.BearerToken;
            if (string.IsNullOrWhiteSpace(bearer))
            {
                throw new XConfigurationException($"{request.Method} {request.RequestUri?.AbsolutePath} needs the app's bearer token: set TwitterBot:Auth:BearerToken.");
            }

            request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", bearer);
            return await base.SendAsync(request, cancellationToken);
        }

        if (!request.Options.TryGetValue(XUserToken.OptionKey, out var user))
        {
            throw new InvalidOperationException($"X API request to {request.RequestUri?.AbsolutePath} has no user token to sign it with.");
        }

        var auth = options.Value.Auth;
        var credentials = new OAuth1Credentials(auth.ConsumerKey!, auth.ConsumerSecret!, user.Token, user.TokenSecret);
        // A form body's fields are signed (whichever content type carries them); a JSON or multipart body's are not.
        var form = request.Content is { Headers.ContentType.MediaType: "application/x-www-form-urlencoded" } content
            ? OAuth1.ParseUrlEncoded(await content.ReadAsStringAsync(cancellationToken)).ToList()
            : [];

        request.Headers.Authorization = new AuthenticationHeaderValue(OAuth1.Scheme, OAuth1.AuthorizationParameter(
            request.Method, request.RequestUri!, form, credentials, NewNonce(), time.GetUtcNow().ToUnixTimeSeconds()));
        return await base.SendAsync(request, cancellationToken);
    }

    private static string NewNonce() => Convert.ToHexString(RandomNumberGenerator.GetBytes(16));
}

/// <summary>A call to X cannot even be made with this configuration; the message names the key to set.</summary>
public sealed class XConfigurationException(string message) : Exception(message);
