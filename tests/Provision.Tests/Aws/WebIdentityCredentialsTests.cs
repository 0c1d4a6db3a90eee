using System.Security.Cryptography;
using Amazon.Runtime;
using Azure.Core;
using Microsoft.Extensions.DependencyInjection;
using NSubstitute;
using Provision.Core.Aws;
using Provision.Tests.Infrastructure;

namespace Provision.Tests.Aws;

/// <summary>
/// The service's own identity from an Azure managed-identity token and AssumeRoleWithWebIdentity, against the
/// AWS side as docs/deploy.md sets it up (IAM OIDC provider and infra/aws/service-role-trust-policy.json).
/// </summary>
public sealed class WebIdentityCredentialsTests : AwsTestBase
{
    private readonly string RoleArn = "arn:aws:iam::123456789012:role/ProvisionService-" + Guid.NewGuid().ToString("N")[..8];

    private readonly TokenCredential azure = Substitute.For<TokenCredential>();

    private readonly EntraTokens entra = new();

    public WebIdentityCredentialsTests(AwsEmulatorFixture fixture) : base(fixture) => entra.ConfigureAws(Emulator, RoleArn);

    [Fact]
    public async Task CreateThing_WebIdentityConfigured_SignsWithAssumedRoleCredentials()
    {
        using var services = WebIdentityServices(entra.Token());

        await services.GetRequiredService<IIotClient>().CreateThingAsync(new IotThingSpec(NewName(), "prod1", "acct1"));

        Assert.Contains("Credential=ASIA", Emulator.Journal.For("CreateThing").Single().RequestHeaders["authorization"]);
    }

    [Fact]
    public async Task CreateThing_WebIdentityConfigured_AssumesConfiguredRole()
    {
        using var services = WebIdentityServices(entra.Token());

        await services.GetRequiredService<IIotClient>().CreateThingAsync(new IotThingSpec(NewName(), "prod1", "acct1"));

        Assert.Contains(Emulator.State.Sessions, s => s.Operation == "AssumeRoleWithWebIdentity" && s.RoleArn == RoleArn);
    }

    [Fact]
    public async Task CreateThing_WebIdentityConfigured_RequestsTokenForAudience()
    {
        using var services = WebIdentityServices(entra.Token());

        await services.GetRequiredService<IIotClient>().CreateThingAsync(new IotThingSpec(NewName(), "prod1", "acct1"));

        await azure.Received().GetTokenAsync(
            Arg.Is<TokenRequestContext>(c => c.Scopes.SequenceEqual(new[] { "api://AzureADTokenExchange/.default" })),
            Arg.Any<CancellationToken>());
    }

    [Fact]
    public async Task CreateThing_SeveralCalls_ExchangesTokenOnce()
    {
        using var services = WebIdentityServices(entra.Token());
        var iot = services.GetRequiredService<IIotClient>();

        await iot.CreateThingAsync(new IotThingSpec(NewName(), "prod1", "acct1"));
        await iot.CreateThingAsync(new IotThingSpec(NewName(), "prod1", "acct1"));

        Assert.Equal(1, Emulator.Journal.Count("AssumeRoleWithWebIdentity"));
    }

    [Fact]
    public async Task CreateThing_TokenRejectedBySts_ThrowsUnauthorized()
    {
        using var services = WebIdentityServices("not-a-jwt");

        var error = await Assert.ThrowsAsync<AwsServiceException>(
            () => services.GetRequiredService<IIotClient>().CreateThingAsync(new IotThingSpec(NewName(), "prod1", "acct1")));

        Assert.Equal((AwsErrorKind.Unauthorized, "InvalidIdentityToken"), (error.Kind, error.ErrorCode));
    }

    [Fact]
    public void AwsCredentials_WebIdentityConfigured_RefreshesFiveMinutesBeforeExpiry()
    {
        using var services = WebIdentityServices(entra.Token());

        var credentials = Assert.IsAssignableFrom<RefreshingAWSCredentials>(services.GetRequiredService<AWSCredentials>());

        Assert.Equal(TimeSpan.FromMinutes(5), credentials.PreemptExpiryTime);
    }

    [Fact]
    public async Task AssumeRoleWithWebIdentity_DocumentedTrust_AnswersTheTokenSubjectAndProvider()
    {
        using var services = WebIdentityServices(entra.Token());

        await services.GetRequiredService<IIotClient>().CreateThingAsync(new IotThingSpec(NewName(), "prod1", "acct1"));

        var answer = Emulator.Journal.For("AssumeRoleWithWebIdentity").Single().ResponseBody;
        Assert.Contains($"<SubjectFromWebIdentityToken>{entra.PrincipalId}</SubjectFromWebIdentityToken>", answer);
        Assert.Contains($"oidc-provider/login.microsoftonline.com/{entra.TenantId}/v2.0</Provider>", answer);
    }

    [Fact]
    public async Task CreateThing_TokenOfAnotherIssuer_ThrowsUnauthorized()
    {
        // The v1 issuer the managed identity does not use for this audience.
        using var services = WebIdentityServices(entra.Token(issuer: $"https://sts.windows.net/{entra.TenantId}/"));

        await AssertRefusedAsync(services, "InvalidIdentityToken");
    }

    [Fact]
    public async Task CreateThing_TokenWithTheAudienceUri_ThrowsUnauthorized()
    {
        // What the token is requested for is not what its aud claim carries.
        using var services = WebIdentityServices(entra.Token(audience: "api://AzureADTokenExchange"));

        await AssertRefusedAsync(services, "InvalidIdentityToken");
    }

    [Fact]
    public async Task CreateThing_TokenOfAnotherIdentity_ThrowsUnauthorized()
    {
        using var services = WebIdentityServices(entra.Token(subject: Guid.NewGuid().ToString()));

        await AssertRefusedAsync(services, "AccessDenied");
    }

    [Fact]
    public async Task CreateThing_TokenSignedByAnotherKey_ThrowsUnauthorized()
    {
        using var other = RSA.Create(2048);
        using var services = WebIdentityServices(entra.Token(signingKey: other));

        await AssertRefusedAsync(services, "InvalidIdentityToken");
    }

    [Fact]
    public async Task CreateThing_ExpiredToken_ThrowsUnauthorized()
    {
        using var services = WebIdentityServices(entra.Token(expires: DateTimeOffset.UtcNow.AddMinutes(-10)));

        await AssertRefusedAsync(services, "ExpiredTokenException");
    }

    [Fact]
    public async Task CreateThing_RoleWithoutTrustPolicy_ThrowsUnauthorized()
    {
        Emulator.State.RoleTrustPolicies.TryRemove(RoleArn, out _);
        using var services = WebIdentityServices(entra.Token());

        await AssertRefusedAsync(services, "AccessDenied");
    }

    private async Task AssertRefusedAsync(ServiceProvider services, string errorCode)
    {
        var error = await Assert.ThrowsAsync<AwsServiceException>(
            () => services.GetRequiredService<IIotClient>().CreateThingAsync(new IotThingSpec(NewName(), "prod1", "acct1")));

        Assert.Equal(errorCode, error.ErrorCode);
        Assert.Equal(0, Emulator.Journal.Count("CreateThing"));
    }

    private ServiceProvider WebIdentityServices(string token)
    {
        azure.GetTokenAsync(Arg.Any<TokenRequestContext>(), Arg.Any<CancellationToken>())
            .Returns(new AccessToken(token, DateTimeOffset.UtcNow.AddHours(1)));
        return Fixture.CreateServices(
            s => s["Aws:WebIdentityRoleArn"] = RoleArn,
            useEmulatorKey: false,
            register: s => s.AddKeyedSingleton(AwsServiceCollectionExtensions.WebIdentityTokenCredentialKey, azure));
    }
}
