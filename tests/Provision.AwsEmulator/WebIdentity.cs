using System.Security.Cryptography;
using System.Text;
using System.Text.Json;

namespace Provision.Emulators.Aws;

/// <summary>
/// An IAM OpenID Connect provider: the issuer URL (without https://), the audiences (client ids) it accepts
/// and the issuer's signing keys by key id, as AWS reads them from the issuer's JWKS.
/// </summary>
public sealed record OpenIdConnectProvider(string Url, IReadOnlyList<string> ClientIds, IReadOnlyDictionary<string, RSAParameters> SigningKeys)
{
    public string Arn(string accountId) => $"arn:aws:iam::{accountId}:oidc-provider/{Url}";
}

/// <summary>
/// Checks a web identity token the way STS does for AssumeRoleWithWebIdentity: a registered provider for its
/// issuer, an RS256 signature by one of the provider's keys, not expired (five minutes of clock skew), an audience
/// in the provider's client id list, and a role trust policy that allows the provider with conditions that match.
/// </summary>
internal static class WebIdentity
{
    private static readonly TimeSpan ClockSkew = TimeSpan.FromMinutes(5);

    public sealed record Claims(string Issuer, string Audience, string Subject, OpenIdConnectProvider Provider);

    public static Claims Validate(string token, string roleArn, EmulatorState state, string accountId, DateTimeOffset now)
    {
        var (header, payload, signingInput, signature) = Parse(token);
        var issuer = Text(payload, "iss");
        var provider = state.OpenIdConnectProviders.GetValueOrDefault(ProviderUrl(issuer))
            ?? throw InvalidToken($"No OpenIDConnect provider found in your account for {issuer}");

        var keyId = Text(header, "kid");
        if (Text(header, "alg") != "RS256" || !provider.SigningKeys.TryGetValue(keyId, out var key))
        {
            throw InvalidToken("Couldn't retrieve verification key from your identity provider, please reference AssumeRoleWithWebIdentity documentation for requirements");
        }

        using var rsa = RSA.Create(key);
        if (!rsa.VerifyData(Encoding.ASCII.GetBytes(signingInput), signature, HashAlgorithmName.SHA256, RSASignaturePadding.Pkcs1))
        {
            throw InvalidToken("The web identity token that was passed could not be validated by AWS. Get a new identity token from the identity provider and then retry the request.");
        }

        if (!payload.TryGetProperty("exp", out var exp) || exp.ValueKind != JsonValueKind.Number
            || DateTimeOffset.FromUnixTimeSeconds(exp.GetInt64()) + ClockSkew < now)
        {
            throw new EmulatorError(400, "ExpiredTokenException", "Token expired: current date/time must be before the expiration date/time.");
        }

        var audience = Text(payload, "aud");
        if (!provider.ClientIds.Contains(audience, StringComparer.Ordinal))
        {
            throw InvalidToken("Incorrect token audience");
        }

        var claims = new Claims(issuer, audience, Text(payload, "sub"), provider);
        if (!state.RoleTrustPolicies.TryGetValue(roleArn, out var policy) || !TrustAllows(policy, provider.Arn(accountId), provider.Url, payload))
        {
            throw new EmulatorError(403, "AccessDenied", "Not authorized to perform sts:AssumeRoleWithWebIdentity");
        }

        return claims;
    }

    /// <summary>The provider URL as IAM keys it: the issuer without its scheme and trailing slash.</summary>
    public static string ProviderUrl(string issuer) =>
        (issuer.StartsWith("https://", StringComparison.Ordinal) ? issuer["https://".Length..] : issuer).TrimEnd('/');

    /// <summary>An Allow statement naming the provider as federated principal, the action, and every condition satisfied by the token.</summary>
    private static bool TrustAllows(string policyDocument, string providerArn, string providerUrl, JsonElement payload)
    {
        using var document = JsonDocument.Parse(policyDocument);
        var statements = document.RootElement.GetProperty("Statement");
        foreach (var statement in statements.ValueKind == JsonValueKind.Array ? statements.EnumerateArray().ToList() : [statements])
        {
            if (Text(statement, "Effect") == "Allow"
                && statement.TryGetProperty("Principal", out var principal) && principal.TryGetProperty("Federated", out var federated)
                && Values(federated).Contains(providerArn)
                && statement.TryGetProperty("Action", out var action) && Values(action).Contains("sts:AssumeRoleWithWebIdentity")
                && ConditionsHold(statement, providerUrl, payload))
            {
                return true;
            }
        }

        return false;
    }

    private static bool ConditionsHold(JsonElement statement, string providerUrl, JsonElement payload)
    {
        if (!statement.TryGetProperty("Condition", out var conditions))
        {
            return true;
        }

        foreach (var test in conditions.EnumerateObject())
        {
            foreach (var condition in test.Value.EnumerateObject())
            {
                // Keys are "<provider url>:<claim>"; a key of another provider, or a claim the token lacks, does not match.
                var claim = condition.Name.StartsWith(providerUrl + ":", StringComparison.Ordinal) ? condition.Name[(providerUrl.Length + 1)..] : null;
                var actual = claim is not null && payload.TryGetProperty(claim, out var value) && value.ValueKind == JsonValueKind.String ? value.GetString() : null;
                var matches = actual is not null && test.Name switch
                {
                    "StringEquals" => Values(condition.Value).Contains(actual),
                    "StringLike" => Values(condition.Value).Any(pattern => Like(pattern, actual)),
                    _ => false,
                };
                if (!matches)
                {
                    return false;
                }
            }
        }

        return true;
    }

    private static bool Like(string pattern, string value) =>
        System.Text.RegularExpressions.Regex.IsMatch(value,
            "^" + System.Text.RegularExpressions.Regex.Escape(pattern).Replace("\\*", ".*", StringComparison.Ordinal).Replace("\\?", ".", StringComparison.Ordinal) + "$");

    private static List<string> Values(JsonElement element) => element.ValueKind == JsonValueKind.Array
        ? element.EnumerateArray().Select(e => e.GetString() ?? "").ToList()
        : [element.GetString() ?? ""];

    private static (JsonElement Header, JsonElement Payload, string SigningInput, byte[] Signature) Parse(string token)
    {
        var parts = token.Split('.');
        try
        {
            if (parts.Length == 3)
            {
                using var header = JsonDocument.Parse(Base64Url(parts[0]));
                using var payload = JsonDocument.Parse(Base64Url(parts[1]));
                return (header.RootElement.Clone(), payload.RootElement.Clone(), parts[0] + "." + parts[1], Base64Url(parts[2]));
            }
        }
        catch (Exception e) when (e is FormatException or JsonException)
        {
            // Falls through to the AWS error below.
        }

        throw InvalidToken("The web identity token that was passed could not be validated by AWS. Get a new identity token from the identity provider and then retry the request.");
    }

    private static string Text(JsonElement element, string name) =>
        element.ValueKind == JsonValueKind.Object && element.TryGetProperty(name, out var value) && value.ValueKind == JsonValueKind.String ? value.GetString()! : "";

    private static byte[] Base64Url(string text)
    {
        var padded = text.Replace('-', '+').Replace('_', '/');
        return Convert.FromBase64String(padded.PadRight(padded.Length + ((4 - (padded.Length % 4)) % 4), '='));
    }

    private static EmulatorError InvalidToken(string message) => new(400, "InvalidIdentityToken", message);
}
