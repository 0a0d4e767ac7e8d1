using System.Net.Http.Headers;
using System.Security.Cryptography;
using Microsoft.Extensions.Options;
using TwitterBot.ServiceDefaults;

namespace TwitterBot.Processor.Clients.X;

/// <summary>A bot account's user-context token, attached to a request for <see cref="OAuth1SigningHandler"/>.</summary>
public sealed record XUserToken(string Token, string TokenSecret)
{
    public static readonly HttpRequestOptionsKey<XUserToken> OptionKey = new("TwitterBot.XUserToken");

    /// <summary>Never print the secret (records print every member by default).</summary>
    public override string ToString() => "XUserToken { *** }";
}

/// <summary>Signs every outgoing X API request with OAuth 1.0a, in the user context attached to it.</summary>
public sealed class OAuth1SigningHandler(IOptions<TwitterBotOptions> options, TimeProvider time) : DelegatingHandler
{
    protected override async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
    {
        if (!request.Options.TryGetValue(XUserToken.OptionKey, out var user))
        {
            throw new InvalidOperationException($"X API request to {request.RequestUri?.AbsolutePath} has no user token to sign it with.");
        }

        var auth = options.Value.Auth;
        var credentials = new OAuth1Credentials(auth.ConsumerKey!, auth.ConsumerSecret!, user.Token, user.TokenSecret);
        var form = request.Content is FormUrlEncodedContent content
            ? OAuth1.ParseUrlEncoded(await content.ReadAsStringAsync(cancellationToken)).ToList()
            : [];

        request.Headers.Authorization = new AuthenticationHeaderValue(OAuth1.Scheme, OAuth1.AuthorizationParameter(
            request.Method, request.RequestUri!, form, credentials, NewNonce(), time.GetUtcNow().ToUnixTimeSeconds()));
        return await base.SendAsync(request, cancellationToken);
    }

    private static string NewNonce() => Convert.ToHexString(RandomNumberGenerator.GetBytes(16));
}
