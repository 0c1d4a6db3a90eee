using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;

namespace Provision.Emulators.Aws;

/// <summary>The emulator's own CA: it signs every device certificate (RSA 2048, SHA-256).</summary>
public sealed class CertificateAuthority : IDisposable
{
    private readonly RSA key = RSA.Create(2048);

    public CertificateAuthority()
    {
        var request = new CertificateRequest("CN=Provision AWS Emulator CA, O=Provision", key, HashAlgorithmName.SHA256, RSASignaturePadding.Pkcs1);
        request.CertificateExtensions.Add(new X509BasicConstraintsExtension(true, false, 0, true));
        request.CertificateExtensions.Add(new X509KeyUsageExtension(X509KeyUsageFlags.KeyCertSign | X509KeyUsageFlags.CrlSign, true));
        request.CertificateExtensions.Add(new X509SubjectKeyIdentifierExtension(request.PublicKey, false));
        var now = DateTimeOffset.UtcNow;
        Certificate = request.CreateSelfSigned(now.AddDays(-1), now.AddYears(10));
    }

    /// <summary>The CA certificate (public part only).</summary>
    public X509Certificate2 Certificate { get; }

    public string CertificatePem => Certificate.ExportCertificatePem();

    /// <summary>Issues a client certificate for the subject and public key.</summary>
    public X509Certificate2 Issue(X500DistinguishedName subject, PublicKey publicKey)
    {
        var request = new CertificateRequest(subject, publicKey, HashAlgorithmName.SHA256, RSASignaturePadding.Pkcs1);
        request.CertificateExtensions.Add(new X509BasicConstraintsExtension(false, false, 0, true));
        request.CertificateExtensions.Add(new X509KeyUsageExtension(X509KeyUsageFlags.DigitalSignature | X509KeyUsageFlags.KeyEncipherment, true));
        request.CertificateExtensions.Add(new X509EnhancedKeyUsageExtension([new Oid("1.3.6.1.5.5.7.3.2")], false));
        request.CertificateExtensions.Add(new X509SubjectKeyIdentifierExtension(request.PublicKey, false));
        request.CertificateExtensions.Add(X509AuthorityKeyIdentifierExtension.CreateFromCertificate(Certificate, true, false));
        var now = DateTimeOffset.UtcNow;
        return request.Create(
            Certificate.SubjectName,
            X509SignatureGenerator.CreateForRSA(key, RSASignaturePadding.Pkcs1),
            now.AddMinutes(-5),
            new DateTimeOffset(2049, 12, 31, 23, 59, 59, TimeSpan.Zero),
            RandomNumberGenerator.GetBytes(16));
    }

    public void Dispose()
    {
        Certificate.Dispose();
        key.Dispose();
    }
}
