using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using Provision.Emulators.Aws;

namespace Provision.Tests.Infrastructure;

/// <summary>
/// Tokens shaped like the ones Microsoft Entra issues to a managed identity for api://AzureADTokenExchange
/// (v2.0 issuer, the token-exchange app id as audience, the identity's principal id as subject), signed with a
/// key of this test's own "tenant", and the AWS side set up from the documented trust policy.
/// </summary>
public sealed class EntraTokens : IDisposable
{
    /// <summary>The app id of api://AzureADTokenExchange: the <c>aud</c> of every token issued for it.</summary>
    public const string TokenExchangeAppId = "fb60f99c-7a34-4190-8149-302f77469936";

    private readonly RSA _key = RSA.Create(2048);

    public string TenantId { get; } = Guid.NewGuid().ToString();

    public string PrincipalId { get; } = Guid.NewGuid().ToString();

    public string KeyId { get; } = "key-" + Guid.NewGuid().ToString("N")[..8];

    public string Issuer => $"https://login.microsoftonline.com/{TenantId}/v2.0";

    /// <summary>
    /// As docs/deploy.md: an IAM OIDC provider for the tenant's v2.0 issuer with the token-exchange app id as
    /// audience, and <paramref name="roleArn"/> trusting it through infra/aws/service-role-trust-policy.json.
    /// </summary>
    public void ConfigureAws(AwsEmulator emulator, string roleArn)
    {
        emulator.CreateOpenIdConnectProvider(Issuer, [TokenExchangeAppId], new Dictionary<string, RSAParameters> { [KeyId] = _key.ExportParameters(false) });
        emulator.PutRoleTrustPolicy(roleArn, TrustPolicy(emulator.AccountId));
    }

    /// <summary>The documented trust policy with this tenant, identity and account filled in.</summary>
    public string TrustPolicy(string accountId) =>
        File.ReadAllText(Path.Combine(RepoPaths.Root, "infra", "aws", "service-role-trust-policy.json"))
            .Replace("<AWS_ACCOUNT_ID>", accountId, StringComparison.Ordinal)
            .Replace("<AZURE_TENANT_ID>", TenantId, StringComparison.Ordinal)
            .Replace("<AZURE_MANAGED_IDENTITY_PRINCIPAL_ID>", PrincipalId, StringComparison.Ordinal);

    /// <summary>A token as Entra issues it; each argument replaces one claim (or the signing key) to make it wrong.</summary>
    public string Token(string? issuer = null, string? audience = null, string? subject = null, DateTimeOffset? expires = null, RSA? signingKey = null)
    {
        var now = DateTimeOffset.UtcNow;
        var header = new Dictionary<string, object> { ["alg"] = "RS256", ["typ"] = "JWT", ["kid"] = KeyId };
        var payload = new Dictionary<string, object>
        {
            ["aud"] = audience ?? TokenExchangeAppId,
            ["iss"] = issuer ?? Issuer,
            ["iat"] = now.ToUnixTimeSeconds(),
            ["nbf"] = now.ToUnixTimeSeconds(),
            ["exp"] = (expires ?? now.AddHours(24)).ToUnixTimeSeconds(),
            ["azp"] = Guid.NewGuid().ToString(),
            ["idtyp"] = "app",
            ["oid"] = subject ?? PrincipalId,
            ["sub"] = subject ?? PrincipalId,
            ["tid"] = TenantId,
            ["ver"] = "2.0",
        };
        var signingInput = Base64Url(JsonSerializer.SerializeToUtf8Bytes(header)) + "." + Base64Url(JsonSerializer.SerializeToUtf8Bytes(payload));
        var signature = (signingKey ?? _key).SignData(Encoding.ASCII.GetBytes(signingInput), HashAlgorithmName.SHA256, RSASignaturePadding.Pkcs1);
        return signingInput + "." + Base64Url(signature);
    }

    private static string Base64Url(byte[] bytes) => Convert.ToBase64String(bytes).TrimEnd('=').Replace('+', '-').Replace('/', '_');

    public void Dispose() => _key.Dispose();
}
