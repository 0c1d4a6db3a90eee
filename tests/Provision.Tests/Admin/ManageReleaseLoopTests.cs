using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using NSubstitute;
using NSubstitute.ExceptionExtensions;
using Provision.Core;
using Provision.Core.Aws;
using Provision.Core.Devices;
using Provision.Core.Provisioning;
using Provision.Functions.Functions;
using Provision.Tests.Infrastructure;

namespace Provision.Tests.Admin;

/// <summary>Release of a provisioned device and its way back: register again, claim, provision. AWS IoT is a substitute.</summary>
public class ManageReleaseLoopTests : ManageTestBase
{
    private int _certificates;

    public ManageReleaseLoopTests()
    {
        Iot.CreateKeysAndCertificateAsync(Arg.Any<bool>(), Arg.Any<CancellationToken>()).Returns(_ =>
        {
            var n = Interlocked.Increment(ref _certificates);
            return new IotCertificate($"cert{n}", $"arn:aws:iot:us-east-1:123456789012:cert/cert{n}", "CERT PEM", "KEY PEM");
        });
    }

    private static string Topic(string deviceId) => $"ioto/device/{deviceId}/provision/release";

    private async Task<(string ProductId, string ProductToken, string DeviceId)> ProvisionedDeviceAsync()
    {
        var (productId, productToken) = await CreateProductAsync();
        var (deviceId, _) = await CreateDeviceAsync(productId);
        await ClaimAndProvisionAsync(deviceId);
        return (productId, productToken, deviceId);
    }

    private async Task ClaimAndProvisionAsync(string deviceId)
    {
        var claimed = await Run(Devices.ClaimDevice(Post("""{"accountId":"acme"}"""), deviceId, CancellationToken.None));
        Assert.Equal(StatusCodes.Status200OK, claimed.Status);
        await Services.GetRequiredService<IProvisioningPipeline>().ProvisionAsync(deviceId);
        Assert.Equal(DeviceState.Provisioned, (await DeviceStore.GetAsync(deviceId))!.State);
    }

    private Task<HttpResponseSnapshot> Release(string deviceId) =>
        Run(Devices.ReleaseDevice(Post(), deviceId, CancellationToken.None));

    [Fact]
    public async Task ReleaseDevice_Provisioned_MarksReleasedWithoutOwnerOrCertificate()
    {
        var (_, _, deviceId) = await ProvisionedDeviceAsync();

        var response = await Release(deviceId);

        Assert.Equal("Released", response.Json.GetProperty("state").GetString());
        var stored = await DeviceStore.GetAsync(deviceId);
        Assert.Equal(DeviceState.Released, stored!.State);
        Assert.Null(stored.AccountId);
        Assert.Null(stored.CertificateArn);
        Assert.Null(stored.EncryptedPrivateKey);
    }

    [Fact]
    public async Task ReleaseDevice_Provisioned_PublishesReleaseBeforeDeactivatingTheCertificate()
    {
        var (_, _, deviceId) = await ProvisionedDeviceAsync();
        Iot.ClearReceivedCalls();

        await Release(deviceId);

        Received.InOrder(() =>
        {
            Iot.PublishAsync(Topic(deviceId), Arg.Any<ReadOnlyMemory<byte>>(), Arg.Any<int>(), Arg.Any<bool>(), Arg.Any<CancellationToken>());
            Iot.UpdateCertificateAsync("cert1", IotCertificateStatus.Inactive, Arg.Any<CancellationToken>());
        });
    }

    [Fact]
    public async Task ReleaseDevice_Provisioned_DetachesAndDeletesCertificateAndThing()
    {
        var (_, _, deviceId) = await ProvisionedDeviceAsync();
        const string arn = "arn:aws:iot:us-east-1:123456789012:cert/cert1";

        await Release(deviceId);

        await Iot.Received(1).DetachPolicyAsync(new IotOptions().PolicyName, arn, Arg.Any<CancellationToken>());
        await Iot.Received(1).DetachThingPrincipalAsync(deviceId, arn, Arg.Any<CancellationToken>());
        await Iot.Received(1).DeleteCertificateAsync("cert1", Arg.Any<bool>(), Arg.Any<CancellationToken>());
        await Iot.Received(1).DeleteThingAsync(deviceId, Arg.Any<CancellationToken>());
    }

    [Fact]
    public async Task ReleaseDevice_CertificateAlreadyGoneInAws_StillReleases()
    {
        var (_, _, deviceId) = await ProvisionedDeviceAsync();
        var notFound = new AwsServiceException(AwsErrorKind.NotFound, "UpdateCertificate", "gone");
        Iot.UpdateCertificateAsync(Arg.Any<string>(), Arg.Any<IotCertificateStatus>(), Arg.Any<CancellationToken>()).ThrowsAsync(notFound);
        Iot.DetachPolicyAsync(Arg.Any<string>(), Arg.Any<string>(), Arg.Any<CancellationToken>()).ThrowsAsync(notFound);
        Iot.DeleteCertificateAsync(Arg.Any<string>(), Arg.Any<bool>(), Arg.Any<CancellationToken>()).ThrowsAsync(notFound);

        var response = await Release(deviceId);

        Assert.Equal(StatusCodes.Status200OK, response.Status);
        Assert.Equal(DeviceState.Released, (await DeviceStore.GetAsync(deviceId))!.State);
    }

    [Fact]
    public async Task ReleaseDevice_AwsThrottling_Returns503AndStaysReleasingUntilRetried()
    {
        var (_, _, deviceId) = await ProvisionedDeviceAsync();
        Iot.PublishAsync(Arg.Any<string>(), Arg.Any<ReadOnlyMemory<byte>>(), Arg.Any<int>(), Arg.Any<bool>(), Arg.Any<CancellationToken>())
            .ThrowsAsync(new AwsServiceException(AwsErrorKind.Throttled, "Publish", "Rate exceeded"));

        var response = await Release(deviceId);

        AssertProblem(response, StatusCodes.Status503ServiceUnavailable, "Retry later");
        Assert.Equal("10", response.Headers.RetryAfter.ToString());
        // No certificate is handed out or issued while the release is unfinished; repeating it finishes the job.
        Assert.Equal(DeviceState.Releasing, (await DeviceStore.GetAsync(deviceId))!.State);
        Iot.PublishAsync(Arg.Any<string>(), Arg.Any<ReadOnlyMemory<byte>>(), Arg.Any<int>(), Arg.Any<bool>(), Arg.Any<CancellationToken>())
            .Returns(Task.CompletedTask);
        Assert.Equal(StatusCodes.Status200OK, (await Release(deviceId)).Status);
        Assert.Equal(DeviceState.Released, (await DeviceStore.GetAsync(deviceId))!.State);
    }

    [Fact]
    public async Task ReleaseDevice_NeverProvisioned_CallsNoAws()
    {
        var (productId, _) = await CreateProductAsync();
        var (deviceId, _) = await CreateDeviceAsync(productId);

        var response = await Release(deviceId);

        Assert.Equal("Released", response.Json.GetProperty("state").GetString());
        Assert.Empty(Iot.ReceivedCalls());
    }

    [Fact]
    public async Task ReleaseDevice_Provisioned_OldDeviceTokenFails()
    {
        var (productId, _) = await CreateProductAsync();
        var (deviceId, token) = await CreateDeviceAsync(productId);
        await ClaimAndProvisionAsync(deviceId);

        await Release(deviceId);

        await Assert.ThrowsAsync<AuthenticationFailedException>(
            () => Services.GetRequiredService<IDeviceAuthenticator>().AuthenticateAsync("Bearer " + token, deviceId));
    }

    [Fact]
    public async Task ReleaseDevice_ThenRegisterClaimAndProvision_ReprovisionsWithANewCertificate()
    {
        var (productId, productToken, deviceId) = await ProvisionedDeviceAsync();
        await Release(deviceId);

        var register = ActivatorUtilities.CreateInstance<RegisterFunction>(Services);
        var registered = await Run(register.Register(
            HttpResults.Request("POST", $$"""{"id":"{{deviceId}}","product":"{{productId}}"}""", "Bearer " + productToken), CancellationToken.None));
        var newToken = registered.Json.GetProperty("token").GetString()!;
        await ClaimAndProvisionAsync(deviceId);

        var device = await Services.GetRequiredService<IDeviceAuthenticator>().AuthenticateAsync("Bearer " + newToken, deviceId);
        Assert.Equal(DeviceState.Provisioned, device.State);
        Assert.Equal("cert2", device.CertificateId);
        Assert.Equal("acme", device.AccountId);
    }

    [Fact]
    public async Task DeleteDevice_Provisioned_RemovesCertificateThingAndDevice()
    {
        var (_, _, deviceId) = await ProvisionedDeviceAsync();

        var response = await Run(Devices.DeleteDevice(HttpResults.Request("DELETE", authorization: Admin), deviceId, CancellationToken.None));

        Assert.Equal(StatusCodes.Status204NoContent, response.Status);
        await Iot.Received(1).DeleteCertificateAsync("cert1", Arg.Any<bool>(), Arg.Any<CancellationToken>());
        await Iot.Received(1).DeleteThingAsync(deviceId, Arg.Any<CancellationToken>());
        Assert.Null(await DeviceStore.GetAsync(deviceId));
    }
}
