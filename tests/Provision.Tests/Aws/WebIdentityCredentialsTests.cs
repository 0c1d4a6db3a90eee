using System.Text;
using Amazon.Runtime;
using Azure.Core;
using Microsoft.Extensions.DependencyInjection;
using NSubstitute;
using Provision.Core.Aws;
using Provision.Tests.Infrastructure;

namespace Provision.Tests.Aws;

/// <summary>The service's own identity from an Azure managed-identity token and AssumeRoleWithWebIdentity.</summary>
public sealed class WebIdentityCredentialsTests(AwsEmulatorFixture fixture) : AwsTestBase(fixture)
{
    private const string RoleArn = "arn:aws:iam::123456789012:role/ProvisionService";

    private readonly TokenCredential azure = Substitute.For<TokenCredential>();

    [Fact]
    public async Task CreateThing_WebIdentityConfigured_SignsWithAssumedRoleCredentials()
    {
        using var services = WebIdentityServices(Jwt("managed-identity-1"));

        await services.GetRequiredService<IIotClient>().CreateThingAsync(new IotThingSpec(NewName(), "prod1", "acct1"));

        Assert.Contains("Credential=ASIA", Emulator.Journal.For("CreateThing").Single().RequestHeaders["authorization"]);
    }

    [Fact]
    public async Task CreateThing_WebIdentityConfigured_AssumesConfiguredRole()
    {
        using var services = WebIdentityServices(Jwt("managed-identity-1"));

        await services.GetRequiredService<IIotClient>().CreateThingAsync(new IotThingSpec(NewName(), "prod1", "acct1"));

        Assert.Contains(Emulator.State.Sessions, s => s.Operation == "AssumeRoleWithWebIdentity" && s.RoleArn == RoleArn);
    }

    [Fact]
    public async Task CreateThing_WebIdentityConfigured_RequestsTokenForAudience()
    {
        using var services = WebIdentityServices(Jwt("managed-identity-1"));

        await services.GetRequiredService<IIotClient>().CreateThingAsync(new IotThingSpec(NewName(), "prod1", "acct1"));

        await azure.Received().GetTokenAsync(
            Arg.Is<TokenRequestContext>(c => c.Scopes.SequenceEqual(new[] { "api://AzureADTokenExchange/.default" })),
            Arg.Any<CancellationToken>());
    }

    [Fact]
    public async Task CreateThing_SeveralCalls_ExchangesTokenOnce()
    {
        using var services = WebIdentityServices(Jwt("managed-identity-1"));
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
        using var services = WebIdentityServices(Jwt("managed-identity-1"));

        var credentials = Assert.IsAssignableFrom<RefreshingAWSCredentials>(services.GetRequiredService<AWSCredentials>());

        Assert.Equal(TimeSpan.FromMinutes(5), credentials.PreemptExpiryTime);
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

    private static string Jwt(string subject)
    {
        static string Part(string json) => Convert.ToBase64String(Encoding.UTF8.GetBytes(json)).TrimEnd('=').Replace('+', '-').Replace('/', '_');
        var expires = DateTimeOffset.UtcNow.AddHours(1).ToUnixTimeSeconds();
        return $"{Part("{\"alg\":\"RS256\",\"typ\":\"JWT\"}")}.{Part($"{{\"sub\":\"{subject}\",\"aud\":\"api://AzureADTokenExchange\",\"iss\":\"https://login.microsoftonline.com/tenant/v2.0\",\"exp\":{expires}}}")}.c2ln";
    }
}
