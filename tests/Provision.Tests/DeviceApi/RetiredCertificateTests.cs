using Microsoft.Extensions.DependencyInjection;
using Provision.Core.Provisioning;
using Provision.Emulators.Aws;
using Provision.Tests.Infrastructure;

namespace Provision.Tests.DeviceApi;

/// <summary>A certificate replaced by a re-issue is deleted in AWS once its grace has passed, on Azurite and the AWS emulator.</summary>
public class RetiredCertificateTests(AwsEmulatorFixture aws) : DeviceApiTestBase(aws)
{
    private Task<int> PurgeAsync() => Services.GetRequiredService<IKeyPurger>().PurgeAsync();

    private async Task<(string Id, string Old)> ReissuedAsync()
    {
        var (id, token) = await ProvisionedDeviceAsync();
        var old = (await Devices.GetAsync(id))!.CertificateId!;
        var (key, csr) = NewCsr(id);
        key.Dispose();
        await GetCertsAsync(id, token, csr);
        await Queue.RunAsync();
        return (id, old);
    }

    [Fact]
    public async Task Purge_AfterReissueGrace_DeletesRetiredCertificateInAws()
    {
        var (id, old) = await ReissuedAsync();

        await PurgeAsync();
        Assert.Equal(CertificateStatus.INACTIVE, Emulator.State.Certificates[old].Status);

        // The grace has passed.
        var device = (await Devices.GetAsync(id))!;
        Assert.Equal(old, device.RetiredCertificateId);
        device.RetiredCertificateDeleteAfter = DateTimeOffset.UtcNow - TimeSpan.FromMinutes(1);
        await Devices.UpdateAsync(device);
        await PurgeAsync();

        Assert.False(Emulator.State.Certificates.ContainsKey(old));
        Assert.Null((await Devices.GetAsync(id))!.RetiredCertificateId);
        Assert.Single(ActiveAttachedCertificates(id));
    }

    [Fact]
    public async Task Release_WithRetiredCertificate_DeletesItToo()
    {
        var (id, old) = await ReissuedAsync();

        await Services.GetRequiredService<Core.Admin.IDeviceAdmin>().ReleaseAsync(id);

        Assert.False(Emulator.State.Certificates.ContainsKey(old));
    }
}
