using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using Provision.Emulators.Aws;
using Provision.Core.Aws;
using Provision.Tests.Infrastructure;

namespace Provision.Tests.Aws;

public sealed class IotCertificateTests(AwsEmulatorFixture fixture) : AwsTestBase(fixture)
{
    [Fact]
    public async Task CreateKeysAndCertificate_SetAsActive_CreatesActiveCertificate()
    {
        var certificate = await Iot.CreateKeysAndCertificateAsync(setAsActive: true);

        Assert.Equal(CertificateStatus.ACTIVE, Emulator.State.Certificates[certificate.CertificateId].Status);
    }

    [Fact]
    public async Task CreateKeysAndCertificate_NotActive_CreatesInactiveCertificate()
    {
        var certificate = await Iot.CreateKeysAndCertificateAsync(setAsActive: false);

        Assert.Equal(CertificateStatus.INACTIVE, Emulator.State.Certificates[certificate.CertificateId].Status);
    }

    [Fact]
    public async Task CreateKeysAndCertificate_Always_ChainsToEmulatorCa()
    {
        var issued = await Iot.CreateKeysAndCertificateAsync(setAsActive: true);
        using var certificate = X509Certificate2.CreateFromPem(issued.CertificatePem);

        Assert.True(ChainsTo(certificate, Emulator.CaCertificate));
    }

    [Fact]
    public async Task CreateKeysAndCertificate_Always_PrivateKeyMatchesCertificate()
    {
        var issued = await Iot.CreateKeysAndCertificateAsync(setAsActive: true);

        using var certificate = X509Certificate2.CreateFromPem(issued.CertificatePem, issued.PrivateKeyPem);
        using var key = certificate.GetRSAPrivateKey()!;
        var data = "proof"u8.ToArray();
        var signature = key.SignData(data, HashAlgorithmName.SHA256, RSASignaturePadding.Pkcs1);
        Assert.True(certificate.GetRSAPublicKey()!.VerifyData(data, signature, HashAlgorithmName.SHA256, RSASignaturePadding.Pkcs1));
    }

    [Fact]
    public async Task CreateKeysAndCertificate_Always_IssuesRsa2048()
    {
        var issued = await Iot.CreateKeysAndCertificateAsync(setAsActive: true);
        using var certificate = X509Certificate2.CreateFromPem(issued.CertificatePem);

        Assert.Equal(2048, certificate.GetRSAPublicKey()!.KeySize);
    }

    [Fact]
    public async Task CreateKeysAndCertificate_Always_IdIsSha256OfCertificate()
    {
        var issued = await Iot.CreateKeysAndCertificateAsync(setAsActive: true);
        using var certificate = X509Certificate2.CreateFromPem(issued.CertificatePem);

        Assert.Equal(Convert.ToHexStringLower(SHA256.HashData(certificate.RawData)), issued.CertificateId);
    }

    [Fact]
    public async Task CreateCertificateFromCsr_ValidCsr_HonoursSubject()
    {
        using var key = RSA.Create(2048);
        var csr = CreateCsr(key, "CN=device-42, O=Example");

        var issued = await Iot.CreateCertificateFromCsrAsync(csr, setAsActive: true);

        using var certificate = X509Certificate2.CreateFromPem(issued.CertificatePem);
        Assert.Equal("CN=device-42, O=Example", certificate.Subject);
    }

    [Fact]
    public async Task CreateCertificateFromCsr_ValidCsr_HonoursPublicKey()
    {
        using var key = RSA.Create(2048);
        var csr = CreateCsr(key, "CN=device-42");

        var issued = await Iot.CreateCertificateFromCsrAsync(csr, setAsActive: true);

        using var certificate = X509Certificate2.CreateFromPem(issued.CertificatePem);
        Assert.Equal(key.ExportSubjectPublicKeyInfo(), certificate.PublicKey.ExportSubjectPublicKeyInfo());
    }

    [Fact]
    public async Task CreateCertificateFromCsr_ValidCsr_ChainsToEmulatorCa()
    {
        using var key = RSA.Create(2048);

        var issued = await Iot.CreateCertificateFromCsrAsync(CreateCsr(key, "CN=device-42"), setAsActive: true);

        using var certificate = X509Certificate2.CreateFromPem(issued.CertificatePem);
        Assert.True(ChainsTo(certificate, Emulator.CaCertificate));
    }

    [Fact]
    public async Task CreateCertificateFromCsr_ValidCsr_ReturnsNoPrivateKey()
    {
        using var key = RSA.Create(2048);

        var issued = await Iot.CreateCertificateFromCsrAsync(CreateCsr(key, "CN=device-42"), setAsActive: true);

        Assert.Null(issued.PrivateKeyPem);
    }

    [Fact]
    public async Task CreateCertificateFromCsr_MalformedCsr_ThrowsInvalidRequest()
    {
        var csr = "-----BEGIN CERTIFICATE REQUEST-----\nAAAA\n-----END CERTIFICATE REQUEST-----";

        var error = await Assert.ThrowsAsync<AwsServiceException>(() => Iot.CreateCertificateFromCsrAsync(csr, setAsActive: true));

        Assert.Equal(AwsErrorKind.InvalidRequest, error.Kind);
    }

    [Theory]
    [InlineData(IotCertificateStatus.Inactive, CertificateStatus.INACTIVE)]
    [InlineData(IotCertificateStatus.Revoked, CertificateStatus.REVOKED)]
    public async Task UpdateCertificate_NewStatus_SetsStatus(IotCertificateStatus status, CertificateStatus expected)
    {
        var issued = await Iot.CreateKeysAndCertificateAsync(setAsActive: true);

        await Iot.UpdateCertificateAsync(issued.CertificateId, status);

        Assert.Equal(expected, Emulator.State.Certificates[issued.CertificateId].Status);
    }

    [Fact]
    public async Task UpdateCertificate_RevokedToActive_ThrowsConflict()
    {
        var issued = await Iot.CreateKeysAndCertificateAsync(setAsActive: true);
        await Iot.UpdateCertificateAsync(issued.CertificateId, IotCertificateStatus.Revoked);

        var error = await Assert.ThrowsAsync<AwsServiceException>(() => Iot.UpdateCertificateAsync(issued.CertificateId, IotCertificateStatus.Active));

        Assert.Equal(AwsErrorKind.Conflict, error.Kind);
    }

    [Fact]
    public async Task UpdateCertificate_Missing_ThrowsNotFound()
    {
        var error = await Assert.ThrowsAsync<AwsServiceException>(
            () => Iot.UpdateCertificateAsync(new string('a', 64), IotCertificateStatus.Inactive));

        Assert.Equal(AwsErrorKind.NotFound, error.Kind);
    }

    [Fact]
    public async Task DeleteCertificate_Inactive_RemovesCertificate()
    {
        var issued = await Iot.CreateKeysAndCertificateAsync(setAsActive: false);

        await Iot.DeleteCertificateAsync(issued.CertificateId);

        Assert.False(Emulator.State.Certificates.ContainsKey(issued.CertificateId));
    }

    [Fact]
    public async Task DeleteCertificate_Active_ThrowsConflict()
    {
        var issued = await Iot.CreateKeysAndCertificateAsync(setAsActive: true);

        var error = await Assert.ThrowsAsync<AwsServiceException>(() => Iot.DeleteCertificateAsync(issued.CertificateId));

        Assert.Equal(AwsErrorKind.Conflict, error.Kind);
    }

    [Fact]
    public async Task DeleteCertificate_AttachedToThing_ThrowsConflict()
    {
        var thing = await CreateThingAsync();
        var issued = await Iot.CreateKeysAndCertificateAsync(setAsActive: false);
        await Iot.AttachThingPrincipalAsync(thing.ThingName, issued.CertificateArn);

        var error = await Assert.ThrowsAsync<AwsServiceException>(() => Iot.DeleteCertificateAsync(issued.CertificateId));

        Assert.Equal((AwsErrorKind.Conflict, "DeleteConflictException"), (error.Kind, error.ErrorCode));
    }

    [Fact]
    public async Task DeleteCertificate_Missing_ThrowsNotFound()
    {
        var error = await Assert.ThrowsAsync<AwsServiceException>(() => Iot.DeleteCertificateAsync(new string('b', 64)));

        Assert.Equal(AwsErrorKind.NotFound, error.Kind);
    }

    [Fact]
    public async Task IotCertificate_ToString_OmitsPrivateKey()
    {
        var issued = await Iot.CreateKeysAndCertificateAsync(setAsActive: true);

        Assert.DoesNotContain("PRIVATE KEY", issued.ToString());
    }

    private static string CreateCsr(RSA key, string subject) =>
        new CertificateRequest(subject, key, HashAlgorithmName.SHA256, RSASignaturePadding.Pkcs1).CreateSigningRequestPem();

    private static bool ChainsTo(X509Certificate2 certificate, X509Certificate2 ca)
    {
        using var chain = new X509Chain();
        chain.ChainPolicy.TrustMode = X509ChainTrustMode.CustomRootTrust;
        chain.ChainPolicy.CustomTrustStore.Add(ca);
        chain.ChainPolicy.RevocationMode = X509RevocationMode.NoCheck;
        return chain.Build(certificate);
    }
}
