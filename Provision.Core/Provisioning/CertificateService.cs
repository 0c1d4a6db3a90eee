using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Provision.Core.Aws;
using Provision.Core.Devices;
using Provision.Core.Limits;
using Provision.Core.Security;
using Provision.Core.Storage;

namespace Provision.Core.Provisioning;

/// <summary>What a device receives from getCerts. <see cref="Key"/> is null when the certificate came from its CSR.</summary>
public sealed record DeviceCertificates(
    string Id, string AccountId, string Thing, string Certificate, string? Key, string Endpoint, int Port, string Region)
{
    public override string ToString() => $"DeviceCertificates {{ Id = {Id}, Thing = {Thing} }}";
}

/// <summary>How often one device may have a certificate issued again (a new CSR, or a purged key) (section "Reissue").</summary>
public sealed class ReissueOptions : LimitOptions
{
    public const string Section = "Reissue";

    public ReissueOptions()
    {
        PermitsPerWindow = 3;
        Window = TimeSpan.FromHours(1);
    }
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
    IUsageLimiter limiter,
    IOptions<ReissueOptions> reissueOptions,
    TimeProvider clock,
    ILogger<CertificateService> log) : ICertificateService
{
    private readonly LimitRule _issues = reissueOptions.Value.ToRule(
        "reissue", "Too many new certificates requested for this device. Retry after the delay.");

    /// <summary>A queued message is retried by the host for this long; after it, getCerts queues another.</summary>
    private static readonly TimeSpan RequeueAfter = TimeSpan.FromMinutes(1);

    public async Task<CertificatesOutcome> GetCertificatesAsync(Device device, string? csrPem, CancellationToken cancellationToken = default)
    {
        byte[]? csrKey = csrPem is null ? null : CsrRules.Validate(csrPem);
        switch (device.State)
        {
            case DeviceState.Registered or DeviceState.Releasing or DeviceState.Released:
                return new CertificatesOutcome(CertificatesStatus.NotClaimed, Reason: "Device is not claimed");
            case DeviceState.Failed when csrPem is not null && device.CertificateArn is null:
                // A device whose request failed (a refused CSR among other reasons) may try again with a new CSR.
                await limiter.AcquireAsync(_issues, device.Id, cancellationToken);
                device.MoveTo(DeviceState.Claimed);
                device.FailureReason = null;
                device.PendingCsr = csrPem;
                device.ProvisionRequested = null;
                log.LogInformation("Retrying the failed provisioning of {DeviceId} with a new CSR", device.Id);
                await EnsureQueuedAsync(device, cancellationToken);
                return new CertificatesOutcome(CertificatesStatus.Pending);
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

        // The delivered key is gone, or the device brings a new key: issue a replacement, a few times a window at most.
        await limiter.AcquireAsync(_issues, device.Id, cancellationToken);
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

    private static byte[] PublicKeyOf(string certificatePem)
    {
        using var certificate = X509Certificate2.CreateFromPem(certificatePem);
        return certificate.PublicKey.ExportSubjectPublicKeyInfo();
    }
}
