using Amazon.Runtime;
using Amazon.SecurityToken;
using Amazon.SecurityToken.Model;
using Azure.Core;

namespace Provision.Core.Aws;

/// <summary>
/// The service's own AWS identity without long-lived keys: an Azure managed-identity token exchanged with
/// STS AssumeRoleWithWebIdentity. The SDK base class caches the result and refreshes it before it expires.
/// </summary>
internal sealed class WebIdentityAwsCredentials : RefreshingAWSCredentials
{
    private readonly TokenCredential tokenCredential;
    private readonly IAmazonSecurityTokenService sts;
    private readonly string roleArn;
    private readonly string audience;

    public WebIdentityAwsCredentials(TokenCredential tokenCredential, IAmazonSecurityTokenService sts, string roleArn, string audience)
    {
        this.tokenCredential = tokenCredential;
        this.sts = sts;
        this.roleArn = roleArn;
        this.audience = audience;
        PreemptExpiryTime = TimeSpan.FromMinutes(5);
    }

    protected override CredentialsRefreshState GenerateNewCredentials() =>
        GenerateNewCredentialsAsync().GetAwaiter().GetResult();

    protected override async Task<CredentialsRefreshState> GenerateNewCredentialsAsync()
    {
        var scope = audience.EndsWith("/.default", StringComparison.Ordinal) ? audience : audience + "/.default";
        var token = await tokenCredential.GetTokenAsync(new TokenRequestContext([scope]), CancellationToken.None);
        var response = await sts.AssumeRoleWithWebIdentityAsync(new AssumeRoleWithWebIdentityRequest
        {
            RoleArn = roleArn,
            RoleSessionName = "provision",
            WebIdentityToken = token.Token,
        });
        var c = response.Credentials;
        var expiration = DateTime.SpecifyKind(c.Expiration ?? DateTime.UtcNow.AddHours(1), DateTimeKind.Utc);
        return new CredentialsRefreshState(new ImmutableCredentials(c.AccessKeyId, c.SecretAccessKey, c.SessionToken), expiration);
    }
}
