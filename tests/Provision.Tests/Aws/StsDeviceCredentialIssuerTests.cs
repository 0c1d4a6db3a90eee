using Amazon.Runtime;
using Amazon.SecurityToken;
using Amazon.SecurityToken.Model;
using Microsoft.Extensions.DependencyInjection;
using Provision.Emulators.Aws;
using Provision.Core.Aws;
using Provision.Tests.Infrastructure;

namespace Provision.Tests.Aws;

public sealed class StsDeviceCredentialIssuerTests : AwsTestBase
{
    private readonly IDeviceCredentialIssuer issuer;

    public StsDeviceCredentialIssuerTests(AwsEmulatorFixture fixture)
        : base(fixture)
    {
        issuer = Services.GetRequiredService<IDeviceCredentialIssuer>();
    }

    [Fact]
    public async Task IssueAsync_ClaimedDevice_ReturnsTemporaryCredentials()
    {
        var credentials = await issuer.IssueAsync(Request(NewName("device")));

        Assert.True(credentials.AccessKeyId.StartsWith("ASIA", StringComparison.Ordinal) && credentials.SessionToken.Length > 0 && credentials.SecretAccessKey.Length > 0);
    }

    [Fact]
    public async Task IssueAsync_ClaimedDevice_ReturnsConfiguredRegion()
    {
        var credentials = await issuer.IssueAsync(Request(NewName("device")));

        Assert.Equal("us-east-1", credentials.Region);
    }

    [Fact]
    public async Task IssueAsync_BareRoleName_AssumesRoleInConfiguredAccount()
    {
        var device = NewName("device");

        await issuer.IssueAsync(Request(device));

        Assert.Equal($"arn:aws:iam::{Emulator.AccountId}:role/IotoDeviceRole", Session(device).RoleArn);
    }

    [Fact]
    public async Task IssueAsync_RoleArnSetting_AssumesThatRole()
    {
        var arn = $"arn:aws:iam::{Emulator.AccountId}:role/devices/OtherRole";
        using var services = Fixture.CreateServices(s => s["Cloud:DeviceRole"] = arn);
        var device = NewName("device");

        await services.GetRequiredService<IDeviceCredentialIssuer>().IssueAsync(Request(device));

        Assert.Equal(arn, Session(device).RoleArn);
    }

    [Fact]
    public async Task IssueAsync_Always_TagsSessionWithDeviceProductAndAccount()
    {
        var device = NewName("device");

        await issuer.IssueAsync(new DeviceCredentialRequest(device, "prod1", "acct1"));

        var expected = new Dictionary<string, string> { ["deviceId"] = device, ["productId"] = "prod1", ["accountId"] = "acct1" };
        Assert.Equal(expected, Session(device).Tags);
    }

    [Fact]
    public async Task IssueAsync_DefaultSettings_AsksForOneHour()
    {
        var device = NewName("device");

        await issuer.IssueAsync(Request(device));

        Assert.Equal(3600, Session(device).DurationSeconds);
    }

    [Fact]
    public async Task IssueAsync_DurationSetting_AsksForThatDuration()
    {
        using var services = Fixture.CreateServices(s => s["Cloud:CredentialsDurationSeconds"] = "1800");
        var device = NewName("device");

        await services.GetRequiredService<IDeviceCredentialIssuer>().IssueAsync(Request(device));

        Assert.Equal(1800, Session(device).DurationSeconds);
    }

    [Fact]
    public async Task IssueAsync_Always_ReturnsExpirationFromSts()
    {
        var device = NewName("device");

        var credentials = await issuer.IssueAsync(Request(device));

        Assert.Equal(Session(device).Expiration.ToUnixTimeSeconds(), credentials.Expiration.ToUnixTimeSeconds());
    }

    [Fact]
    public async Task IssueAsync_DeviceIdWithInvalidCharacters_UsesSanitisedSessionName()
    {
        var device = "dev ice/" + Guid.NewGuid().ToString("N");

        await issuer.IssueAsync(Request(device));

        Assert.Contains(Emulator.State.Sessions, s => s.RoleSessionName == "dev-ice-" + device[8..]);
    }

    [Fact]
    public async Task IssueAsync_IssuedCredentials_AreAcceptedAsTheAssumedRole()
    {
        var device = NewName("device");
        var credentials = await issuer.IssueAsync(Request(device));
        using var sts = new AmazonSecurityTokenServiceClient(
            new SessionAWSCredentials(credentials.AccessKeyId, credentials.SecretAccessKey, credentials.SessionToken),
            new AmazonSecurityTokenServiceConfig { ServiceURL = Emulator.BaseAddress.ToString(), AuthenticationRegion = Emulator.Region });

        var identity = await sts.GetCallerIdentityAsync(new GetCallerIdentityRequest());

        Assert.Equal($"arn:aws:sts::{Emulator.AccountId}:assumed-role/IotoDeviceRole/{device}", identity.Arn);
    }

    [Fact]
    public async Task IssueAsync_StsAlwaysThrottles_ThrowsThrottled()
    {
        using var fault = Emulator.Faults.Inject("AssumeRole", FaultKind.Throttle);

        var error = await Assert.ThrowsAsync<AwsServiceException>(() => issuer.IssueAsync(Request(NewName("device"))));

        Assert.Equal((AwsErrorKind.Throttled, "Throttling"), (error.Kind, error.ErrorCode));
    }

    [Fact]
    public async Task IssueAsync_StsThrottledOnce_SucceedsThroughRetry()
    {
        using var fault = Emulator.Faults.Inject("AssumeRole", FaultKind.Throttle, times: 1);

        await issuer.IssueAsync(Request(NewName("device")));

        Assert.Equal((2, 1), (Emulator.Journal.Count("AssumeRole"), Emulator.Journal.CountSucceeded("AssumeRole")));
    }

    [Fact]
    public async Task IssueAsync_StsUnavailable_ThrowsServiceUnavailable()
    {
        using var fault = Emulator.Faults.Inject("AssumeRole", FaultKind.ServiceUnavailable);

        var error = await Assert.ThrowsAsync<AwsServiceException>(() => issuer.IssueAsync(Request(NewName("device"))));

        Assert.Equal(AwsErrorKind.ServiceUnavailable, error.Kind);
    }

    [Fact]
    public async Task IssueAsync_RoleInAnotherAccount_ThrowsUnauthorized()
    {
        using var services = Fixture.CreateServices(s => s["Cloud:DeviceRole"] = "arn:aws:iam::999999999999:role/IotoDeviceRole");

        var error = await Assert.ThrowsAsync<AwsServiceException>(
            () => services.GetRequiredService<IDeviceCredentialIssuer>().IssueAsync(Request(NewName("device"))));

        Assert.Equal((AwsErrorKind.Unauthorized, "AccessDenied"), (error.Kind, error.ErrorCode));
    }

    [Fact]
    public async Task IssueAsync_WrongSecret_ThrowsUnauthorized()
    {
        using var services = Fixture.CreateServices(credentials: new BasicAWSCredentials(Emulator.AccessKeyId, "wrong-secret"));

        var error = await Assert.ThrowsAsync<AwsServiceException>(
            () => services.GetRequiredService<IDeviceCredentialIssuer>().IssueAsync(Request(NewName("device"))));

        Assert.Equal((AwsErrorKind.Unauthorized, "SignatureDoesNotMatch"), (error.Kind, error.ErrorCode));
    }

    [Fact]
    public async Task IssueAsync_TagValueAwsRejects_ThrowsInvalidRequest()
    {
        var error = await Assert.ThrowsAsync<AwsServiceException>(
            () => issuer.IssueAsync(new DeviceCredentialRequest(NewName("device"), "prod!1", "acct1")));

        Assert.Equal((AwsErrorKind.InvalidRequest, "ValidationError"), (error.Kind, error.ErrorCode));
    }

    [Theory]
    [InlineData("device-1", "device-1")]
    [InlineData("a", "a-")]
    [InlineData("dev ice/1", "dev-ice-1")]
    [InlineData("ok_+=,.@-", "ok_+=,.@-")]
    [InlineData("ünïcode", "-n-code")]
    public void SessionName_DeviceId_IsValidRoleSessionName(string deviceId, string expected)
    {
        Assert.Equal(expected, StsDeviceCredentialIssuer.SessionName(deviceId));
    }

    [Fact]
    public void SessionName_LongDeviceId_IsCutTo64Characters()
    {
        Assert.Equal(new string('x', 64), StsDeviceCredentialIssuer.SessionName(new string('x', 100)));
    }

    [Theory]
    [InlineData("IotoDeviceRole", "arn:aws:iam::123456789012:role/IotoDeviceRole")]
    [InlineData("arn:aws:iam::999999999999:role/Other", "arn:aws:iam::999999999999:role/Other")]
    public void RoleArn_Setting_BecomesRoleArn(string role, string expected)
    {
        Assert.Equal(expected, StsDeviceCredentialIssuer.RoleArn(role, "123456789012"));
    }

    [Fact]
    public void DeviceCredentials_ToString_OmitsSecretAndToken()
    {
        var credentials = new DeviceCredentials("ASIAEXAMPLE", "the-secret", "the-token", DateTimeOffset.UnixEpoch, "us-east-1");

        Assert.DoesNotContain("the-", credentials.ToString());
    }

    private static DeviceCredentialRequest Request(string deviceId) => new(deviceId, "prod1", "acct1");

    private AssumedRoleSession Session(string sessionName) =>
        Emulator.State.Sessions.Single(s => s.RoleSessionName == sessionName);
}
