using System.Text;
using Microsoft.AspNetCore.Http;
using Provision.Core.Devices;
using Provision.Functions.Functions;
using Provision.Tests.Infrastructure;

namespace Provision.Tests.DeviceApi;

/// <summary>The operator releases a provisioned device and its agent provisions again, all on the wire to the AWS emulator.</summary>
public class ReleaseLoopTests(AwsEmulatorFixture aws) : DeviceApiTestBase(aws)
{
    private const string Admin = "Bearer " + TestHost.BootstrapKey;

    [Fact]
    public async Task Release_ThenReRegisterClaimProvision_DeviceBackWithNewCertificateAndToken()
    {
        var (id, oldToken) = await ProvisionedDeviceAsync();
        var oldCertificate = (await Devices.GetAsync(id))!.CertificateId!;
        var manage = Function<ManageDevicesFunction>();

        var released = await HttpCall.PostRawAsync(Services, (r, c) => manage.ReleaseDevice(r, id, c), rawBody: null, Admin);

        Assert.Equal(StatusCodes.Status200OK, released.Status);
        Assert.Equal(DeviceState.Released, (await Devices.GetAsync(id))!.State);
        Assert.False(Emulator.State.Certificates.ContainsKey(oldCertificate));
        Assert.False(Emulator.State.Things.ContainsKey(id));
        var notice = Assert.Single(Emulator.State.PublishedMessages, m => m.Topic == $"ioto/device/{id}/provision/release");
        Assert.Equal($$"""{"id":"{{id}}"}""", Encoding.UTF8.GetString(notice.Payload));
        var denied = await GetCertsAsync(id, oldToken);
        Assert.Equal(StatusCodes.Status401Unauthorized, denied.Status);
        Assert.Equal("Authentication failed", denied.Error);

        // The agent deprovisions on that answer and registers again with its product token.
        var registered = await PostAsync(Function<RegisterFunction>().Register, new { id, product = ProductId }, $"Bearer {ProductToken}");
        var newToken = registered.String("token");
        var claimed = await HttpCall.PostRawAsync(Services, (r, c) => manage.ClaimDevice(r, id, c), """{"accountId":"ACCOUNT2"}""", Admin);
        await Queue.RunAsync();
        var certs = await GetCertsAsync(id, newToken);

        Assert.Equal(StatusCodes.Status200OK, registered.Status);
        Assert.NotEqual(oldToken, newToken);
        Assert.Equal(StatusCodes.Status200OK, claimed.Status);
        Assert.Equal(StatusCodes.Status200OK, certs.Status);
        Assert.Equal("ACCOUNT2", certs.String("accountId"));
        var active = Assert.Single(ActiveCertificates());
        Assert.Equal([active.Id], ActiveAttachedCertificates(id));
        Assert.NotEqual(oldCertificate, active.Id);
    }
}
