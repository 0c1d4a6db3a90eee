using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Provision.Core.Aws;
using Provision.Core.Devices;
using Provision.Core.Security;
using Provision.Core.Storage;

namespace Provision.Core.Provisioning;

/// <summary>What a device receives from getCerts. <see cref="Key"/> is null when the certificate came from its CSR.</summary>
public sealed record DeviceCertificates(
    string Id, string AccountId, string Thing, string Certificate, string? Key, string Endpoint, int Port, string Region)
{
    public override string ToString() => $"DeviceCertificates {{ Id = {Id}, Thing = {Thing} }}";
}

public enum CertificatesStatus { Ready, Pending, Failed, NotClaimed }

public sealed record CertificatesOutcome(CertificatesStatus Status, DeviceCertificates? Certificates = null, string? Reason = null);

public interface ICertificateService
{
    Task<CertificatesOutcome> GetCertificatesAsync(Device device, string? csrPem, CancellationToken cancellationToken = default);
}

/// <summary>
/// getCerts: hands out the certificate once provisioned, otherwise makes sure provisioning is under way.
/// A device whose key was purged, or that sends a new CSR, gets a new certificate that replaces the old one.
/// </summary>
public sealed class CertificateService(
    IDeviceStore devices,
    IProvisioningQueue queue,
    IIotClient iot,
    IPrivateKeyProtector keys,
    IOptions<IotOptions> iotOptions,
    IOptions<AwsOptions> awsOptions,
    TimeProvider clock,
    ILogger<CertificateService> log) : ICertificateService
{
    /// <summary>A queued message is retried by the host for this long; after it, getCerts queues another.</summary>
    private static readonly TimeSpan RequeueAfter = TimeSpan.FromMinutes(1);

    public const int MaxCsrLength = 16 * 1024;

    public async Task<CertificatesOutcome> GetCertificatesAsync(Device device, string? csrPem, CancellationToken cancellationToken = default)
    {
        byte[]? csrKey = csrPem is null ? null : ValidateCsr(csrPem);
        switch (device.State)
        {
            case DeviceState.Registered or DeviceState.Releasing or DeviceState.Released:
                return new CertificatesOutcome(CertificatesStatus.NotClaimed, Reason: "Device is not claimed");
            case DeviceState.Failed:
                return new CertificatesOutcome(CertificatesStatus.Failed, Reason: $"Provisioning failed: {device.FailureReason ?? "unknown reason"}");
            case DeviceState.Claimed or DeviceState.Provisioning:
                if (csrPem is not null && device.CertificateArn is null)
                {
                    device.PendingCsr = csrPem;
                }
                await EnsureQueuedAsync(device, cancellationToken);
                return new CertificatesOutcome(CertificatesStatus.Pending);
        }

        // Provisioned.
        var keyAvailable = device.EncryptedPrivateKey is not null;
        var sameKey = csrKey is not null && device.CertificateFromCsr && csrKey.AsSpan().SequenceEqual(PublicKeyOf(device.CertificatePem!));
        if ((csrKey is null && (keyAvailable || device.CertificateFromCsr)) || sameKey)
        {
            var key = csrKey is null && keyAvailable ? keys.Unprotect(device.EncryptedPrivateKey!, device.Id) : null;
            return new CertificatesOutcome(CertificatesStatus.Ready, await DescribeAsync(device, key, cancellationToken));
        }

        // The delivered key is gone, or the device brings a new key: issue a replacement.
        device.MoveTo(DeviceState.Provisioning);
        device.PreviousCertificateId = device.CertificateId;
        device.PreviousCertificateArn = device.CertificateArn;
        device.CertificateId = device.CertificateArn = device.CertificatePem = null;
        device.EncryptedPrivateKey = null;
        device.KeyPurgeAfter = null;
        device.CertificateFromCsr = false;
        device.PendingCsr = csrPem;
        device.ProvisionRequested = null;
        log.LogInformation("Re-issuing the certificate of {DeviceId}", device.Id);
        await EnsureQueuedAsync(device, cancellationToken);
        return new CertificatesOutcome(CertificatesStatus.Pending);
    }

    private async Task EnsureQueuedAsync(Device device, CancellationToken cancellationToken)
    {
        var now = clock.GetUtcNow();
        var due = device.ProvisionRequested is null || now - device.ProvisionRequested > RequeueAfter;
        if (due)
        {
            device.ProvisionRequested = now;
        }
        if (due || device.PendingCsr is not null)
        {
            try
            {
                await devices.UpdateAsync(device, cancellationToken);
            }
            catch (ConcurrencyException)
            {
                // The pipeline changed the device meanwhile: it is at work; the device asks again after Retry-After.
                return;
            }
        }
        if (due)
        {
            await queue.EnqueueAsync(device.Id, cancellationToken);
        }
    }

    private async Task<DeviceCertificates> DescribeAsync(Device device, string? key, CancellationToken cancellationToken) => new(
        device.Id,
        device.AccountId!,
        device.ThingName!,
        device.CertificatePem!,
        key,
        await iot.DescribeDataEndpointAsync(cancellationToken),
        iotOptions.Value.MqttPort,
        awsOptions.Value.Region);

    /// <summary>Checks the CSR's form and signature; returns its public key.</summary>
    private static byte[] ValidateCsr(string csrPem)
    {
        if (csrPem.Length > MaxCsrLength)
        {
            throw new ValidationException($"csr is larger than {MaxCsrLength} characters.");
        }
        try
        {
            var request = CertificateRequest.LoadSigningRequestPem(csrPem, HashAlgorithmName.SHA256);
            return request.PublicKey.ExportSubjectPublicKeyInfo();
        }
        catch (Exception e) when (e is CryptographicException or ArgumentException)
        {
            throw new ValidationException("csr must be a PEM certificate signing request (-----BEGIN CERTIFICATE REQUEST-----) with a valid signature.");
        }
    }

    private static byte[] PublicKeyOf(string certificatePem)
    {
        using var certificate = X509Certificate2.CreateFromPem(certificatePem);
        return certificate.PublicKey.ExportSubjectPublicKeyInfo();
    }
}
