using System.Diagnostics.CodeAnalysis;
using System.Globalization;
using System.Security.Cryptography;
using System.Text;

namespace TwitterBot.Processor.Clients.X;

/// <summary>The four secrets and ids an OAuth 1.0a user-context request is signed with.</summary>
public sealed record OAuth1Credentials(string ConsumerKey, string ConsumerSecret, string Token, string TokenSecret);

/// <summary>
/// OAuth 1.0a HMAC-SHA1 request signing (RFC 5849, as X documents it). Only query and form parameters
/// enter the signature base string; a JSON body does not.
/// </summary>
public static class OAuth1
{
    public const string Scheme = "OAuth";

    /// <summary>The <c>Authorization: OAuth …</c> parameter for a request.</summary>
    public static string AuthorizationParameter(
        HttpMethod method,
        Uri requestUri,
        IEnumerable<KeyValuePair<string, string>> formParameters,
        OAuth1Credentials credentials,
        string nonce,
        long timestamp)
    {
        var oauth = new SortedDictionary<string, string>(StringComparer.Ordinal)
        {
            ["oauth_consumer_key"] = credentials.ConsumerKey,
            ["oauth_nonce"] = nonce,
            ["oauth_signature_method"] = "HMAC-SHA1",
            ["oauth_timestamp"] = timestamp.ToString(CultureInfo.InvariantCulture),
            ["oauth_token"] = credentials.Token,
            ["oauth_version"] = "1.0",
        };
        var parameters = oauth.Concat(QueryParameters(requestUri)).Concat(formParameters);
        oauth["oauth_signature"] = Signature(method, requestUri, parameters, credentials.ConsumerSecret, credentials.TokenSecret);
        return string.Join(", ", oauth.Select(p => $"{PercentEncode(p.Key)}=\"{PercentEncode(p.Value)}\""));
    }

    /// <summary>Base64 HMAC-SHA1 of the signature base string, keyed with both secrets.</summary>
    [SuppressMessage("Security", "CA5350", Justification = "X's OAuth 1.0a accepts only HMAC-SHA1 signatures.")]
    public static string Signature(
        HttpMethod method,
        Uri requestUri,
        IEnumerable<KeyValuePair<string, string>> parameters,
        string consumerSecret,
        string? tokenSecret)
    {
        var key = Encoding.ASCII.GetBytes($"{PercentEncode(consumerSecret)}&{PercentEncode(tokenSecret ?? string.Empty)}");
        var baseString = SignatureBaseString(method, requestUri, parameters);
        return Convert.ToBase64String(HMACSHA1.HashData(key, Encoding.ASCII.GetBytes(baseString)));
    }

    public static string SignatureBaseString(HttpMethod method, Uri requestUri, IEnumerable<KeyValuePair<string, string>> parameters)
    {
        var normalized = parameters
            .Select(p => (Key: PercentEncode(p.Key), Value: PercentEncode(p.Value)))
            .OrderBy(p => p.Key, StringComparer.Ordinal)
            .ThenBy(p => p.Value, StringComparer.Ordinal)
            .Select(p => $"{p.Key}={p.Value}");
        return $"{method.Method.ToUpperInvariant()}&{PercentEncode(BaseUri(requestUri))}&{PercentEncode(string.Join('&', normalized))}";
    }

    /// <summary>Every parameter of the query string, decoded.</summary>
    public static IEnumerable<KeyValuePair<string, string>> QueryParameters(Uri requestUri) =>
        ParseUrlEncoded(requestUri.Query.TrimStart('?'));

    public static IEnumerable<KeyValuePair<string, string>> ParseUrlEncoded(string encoded) =>
        encoded.Split('&', StringSplitOptions.RemoveEmptyEntries).Select(pair =>
        {
            var equals = pair.IndexOf('=', StringComparison.Ordinal);
            var name = equals < 0 ? pair : pair[..equals];
            var value = equals < 0 ? string.Empty : pair[(equals + 1)..];
            return KeyValuePair.Create(Uri.UnescapeDataString(name.Replace('+', ' ')), Uri.UnescapeDataString(value.Replace('+', ' ')));
        });

    /// <summary>RFC 3986 percent-encoding: everything but <c>A-Z a-z 0-9 - . _ ~</c>.</summary>
    public static string PercentEncode(string value) => Uri.EscapeDataString(value);

    private static string BaseUri(Uri uri)
    {
        var port = uri.IsDefaultPort ? string.Empty : $":{uri.Port}";
        return $"{uri.Scheme.ToLowerInvariant()}://{uri.Host.ToLowerInvariant()}{port}{uri.AbsolutePath}";
    }
}
