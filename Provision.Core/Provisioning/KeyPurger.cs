using Microsoft.Extensions.Logging;
using Provision.Core.Aws;
using Provision.Core.Devices;

namespace Provision.Core.Provisioning;

public interface IKeyPurger
{
    /// <summary>
    /// Deletes the stored private keys whose delivery window has ended, and in AWS the retired certificates whose grace has
    /// passed; returns how many devices it cleaned.
    /// </summary>
    Task<int> PurgeAsync(CancellationToken cancellationToken = default);
}

public sealed class KeyPurger(IDeviceStore devices, IIotClient iot, TimeProvider clock, ILogger<KeyPurger> log) : IKeyPurger
{
    private const int BatchSize = 500;

    public async Task<int> PurgeAsync(CancellationToken cancellationToken = default)
    {
        var purged = 0;
        var now = clock.GetUtcNow();
        foreach (var device in await devices.ListKeysToPurgeAsync(now, BatchSize, cancellationToken))
        {
            if (device.RetiredCertificateDeleteAfter <= now && device.RetiredCertificateId is { } retired)
            {
                await DeleteRetiredAsync(device.Id, retired, cancellationToken);
                device.RetiredCertificateId = null;
                device.RetiredCertificateDeleteAfter = null;
            }
            if (device.KeyPurgeAfter <= now)
            {
                device.EncryptedPrivateKey = null;
                device.KeyPurgeAfter = null;
            }
            try
            {
                await devices.UpdateAsync(device, cancellationToken);
                purged++;
            }
            catch (ConcurrencyException)
            {
                // Changed meanwhile; the next run sees it again if its key is still due.
            }
        }
        if (purged > 0)
        {
            log.LogInformation("Purged delivered private keys or retired certificates of {Count} devices", purged);
        }
        return purged;
    }

    private async Task DeleteRetiredAsync(string deviceId, string certificateId, CancellationToken cancellationToken)
    {
        try
        {
            await iot.DeleteCertificateAsync(certificateId, forceDelete: true, cancellationToken);
            log.LogInformation("Deleted retired certificate {CertificateId} of {DeviceId}", certificateId, deviceId);
        }
        catch (AwsServiceException e) when (e.Kind == AwsErrorKind.NotFound)
        {
        }
    }
}
