using System.Text.RegularExpressions;
using Microsoft.Extensions.Logging;
using Provision.Core.Devices;
using Provision.Core.Storage;

namespace Provision.Core.Provisioning;

public interface IClaimService
{
    /// <summary>An operator claims a device for a manager account: it becomes Claimed and its provisioning is queued.</summary>
    Task<Device> ClaimAsync(string deviceId, string accountId, CancellationToken cancellationToken = default);

    /// <summary>Puts a Failed device back in the pipeline.</summary>
    Task<Device> RetryAsync(string deviceId, CancellationToken cancellationToken = default);
}

public sealed partial class ClaimService(IDeviceStore devices, IProvisioningQueue queue, TimeProvider clock, ILogger<ClaimService> log) : IClaimService
{
    public async Task<Device> ClaimAsync(string deviceId, string accountId, CancellationToken cancellationToken = default)
    {
        if (string.IsNullOrWhiteSpace(accountId) || !AccountId().IsMatch(accountId))
        {
            throw new ValidationException("Owner account id must be 1-64 letters, digits, '-' or '_'.");
        }
        var device = await devices.GetAsync(deviceId, cancellationToken)
            ?? throw new EntityNotFoundException($"Device {deviceId} does not exist.");
        if (DeviceStates.IsClaimed(device.State))
        {
            if (device.AccountId == accountId)
            {
                // Claiming again is how an operator retries a claim whose queue send failed.
                return device.State == DeviceState.Claimed ? await QueueAsync(device, cancellationToken) : device;
            }
            throw new EntityExistsException($"Device {deviceId} is already claimed by another account. Release it first.");
        }
        device.MoveTo(DeviceState.Claimed);
        device.AccountId = accountId;
        device.FailureReason = null;
        return await QueueAsync(device, cancellationToken);
    }

    public async Task<Device> RetryAsync(string deviceId, CancellationToken cancellationToken = default)
    {
        var device = await devices.GetAsync(deviceId, cancellationToken)
            ?? throw new EntityNotFoundException($"Device {deviceId} does not exist.");
        if (device.State != DeviceState.Failed)
        {
            throw new ValidationException($"Device {deviceId} is {device.State}; only a Failed device can be retried.");
        }
        device.MoveTo(DeviceState.Claimed);
        device.FailureReason = null;
        return await QueueAsync(device, cancellationToken);
    }

    private async Task<Device> QueueAsync(Device device, CancellationToken cancellationToken)
    {
        device.ProvisionRequested = clock.GetUtcNow();
        device = await devices.UpdateAsync(device, cancellationToken);
        // After the state is saved: if this send fails, the device's next getCerts queues it again.
        await queue.EnqueueAsync(device.Id, cancellationToken);
        log.LogInformation("Claimed {DeviceId} for account {AccountId}; provisioning queued", device.Id, device.AccountId);
        return device;
    }

    [GeneratedRegex("^[A-Za-z0-9_-]{1,64}$")]
    private static partial Regex AccountId();
}
