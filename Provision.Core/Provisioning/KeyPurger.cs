using Microsoft.Extensions.Logging;
using Provision.Core.Devices;

namespace Provision.Core.Provisioning;

public interface IKeyPurger
{
    /// <summary>Deletes the stored private keys whose delivery window has ended; returns how many.</summary>
    Task<int> PurgeAsync(CancellationToken cancellationToken = default);
}

public sealed class KeyPurger(IDeviceStore devices, TimeProvider clock, ILogger<KeyPurger> log) : IKeyPurger
{
    private const int BatchSize = 500;

    public async Task<int> PurgeAsync(CancellationToken cancellationToken = default)
    {
        var purged = 0;
        foreach (var device in await devices.ListKeysToPurgeAsync(clock.GetUtcNow(), BatchSize, cancellationToken))
        {
            device.EncryptedPrivateKey = null;
            device.KeyPurgeAfter = null;
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
            log.LogInformation("Purged {Count} delivered private keys", purged);
        }
        return purged;
    }
}
