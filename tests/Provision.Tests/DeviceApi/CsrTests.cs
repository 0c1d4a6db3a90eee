using System.Security.Cryptography;
using Microsoft.AspNetCore.Http;
using Provision.Core.Devices;
using Provision.Core.Provisioning;
using Provision.Tests.Infrastructure;
using Provision.Tests.Provisioning;

namespace Provision.Tests.DeviceApi;

/// <summary>getCerts with certificate signing requests, on Azurite and the AWS emulator: what AWS would refuse never gets stored or sent.</summary>
public class CsrTests(AwsEmulatorFixture aws) : DeviceApiTestBase(aws, settings => settings["Reissue:PermitsPerWindow"] = "1")
{
    public static TheoryData<string, string> RefusedCsrs => new()
    {
        { CsrSamples.Ed25519, CsrRules.KeyRule },
        { CsrSamples.Dsa, CsrRules.KeyRule },
        { CsrSamples.Rsa(1024), CsrRules.KeyRule },
        { CsrSamples.RsaSha1, CsrRules.SignatureRule },
    };

    [Theory]
    [MemberData(nameof(RefusedCsrs))]
    public async Task GetCerts_CsrAwsRefuses_Answers400NamingTheRuleAndLeavesDeviceUnchanged(string csr, string rule)
    {
        var (id, token) = await RegisterAsync();
        await ClaimAsync(id);
        var before = (await Devices.GetAsync(id))!;

        var answer = await GetCertsAsync(id, token, csr);

        Assert.Equal(StatusCodes.Status400BadRequest, answer.Status);
        Assert.Equal(rule, answer.Error);
        var after = (await Devices.GetAsync(id))!;
        Assert.Equal((before.State, before.PendingCsr, before.ETag), (after.State, after.PendingCsr, after.ETag));
    }

    [Fact]
    public async Task GetCerts_StoredCsrRefusedByAws_NewCsrProvisionsTheDevice()
    {
        var (id, token) = await RegisterAsync();
        await ClaimAsync(id);
        // A request stored before the rules were checked at the edge: AWS refuses it.
        var device = (await Devices.GetAsync(id))!;
        device.PendingCsr = CsrSamples.Rsa(1024);
        await Devices.UpdateAsync(device);
        await Queue.RunAsync();
        var failed = (await Devices.GetAsync(id))!;
        Assert.Equal(DeviceState.Failed, failed.State);
        Assert.Null(failed.PendingCsr);
        Assert.Contains("Send a new csr", failed.FailureReason);

        var (key, csr) = NewCsr(id);
        var retried = await GetCertsAsync(id, token, csr);
        await Queue.RunAsync();
        var certs = await GetCertsAsync(id, token, csr);

        Assert.Equal(StatusCodes.Status202Accepted, retried.Status);
        Assert.Equal(StatusCodes.Status200OK, certs.Status);
        using var certificate = System.Security.Cryptography.X509Certificates.X509Certificate2.CreateFromPem(certs.String("certificate"));
        Assert.Equal(key.ExportSubjectPublicKeyInfo(), certificate.PublicKey.ExportSubjectPublicKeyInfo());
        key.Dispose();
    }

    [Fact]
    public async Task GetCerts_NewCsrsOverReissueLimit_Answers429AndMintsNoCertificate()
    {
        var (id, token) = await ProvisionedDeviceAsync();
        var (_, first) = NewCsr(id);
        var (_, second) = NewCsr(id);

        var reissue = await GetCertsAsync(id, token, first);
        await Queue.RunAsync();
        var issued = Emulator.Journal.Count("CreateCertificateFromCsr");
        var limited = await GetCertsAsync(id, token, second);
        await Queue.RunAsync();

        Assert.Equal(StatusCodes.Status202Accepted, reissue.Status);
        Assert.Equal(StatusCodes.Status429TooManyRequests, limited.Status);
        Assert.InRange(limited.Body.GetProperty("delay").GetInt32(), 1, 3600);
        Assert.Equal(1, issued);
        Assert.Equal(issued, Emulator.Journal.Count("CreateCertificateFromCsr"));
        Assert.Equal(DeviceState.Provisioned, (await Devices.GetAsync(id))!.State);
    }
}
