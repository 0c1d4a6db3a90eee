namespace Provision.Core.Devices;

public enum DeviceState
{
    Registered,
    Claimed,
    Provisioning,
    Provisioned,
    Failed,
    Released,
}

/// <summary>The device life cycle: which state may follow which.</summary>
public static class DeviceStates
{
    private static readonly Dictionary<DeviceState, DeviceState[]> Allowed = new()
    {
        [DeviceState.Registered] = [DeviceState.Claimed, DeviceState.Released],
        [DeviceState.Claimed] = [DeviceState.Provisioning, DeviceState.Failed, DeviceState.Released],
        // Provisioned → Provisioning re-issues a certificate once the delivered key has been purged.
        [DeviceState.Provisioning] = [DeviceState.Provisioned, DeviceState.Failed, DeviceState.Released],
        [DeviceState.Provisioned] = [DeviceState.Provisioning, DeviceState.Released],
        [DeviceState.Failed] = [DeviceState.Claimed, DeviceState.Released],
        // A released device comes back when its agent registers again or an operator claims it again.
        [DeviceState.Released] = [DeviceState.Registered, DeviceState.Claimed],
    };

    public static bool CanMove(DeviceState from, DeviceState to) => Allowed[from].Contains(to);

    /// <summary>States in which the device belongs to an owner account.</summary>
    public static bool IsClaimed(DeviceState state) =>
        state is DeviceState.Claimed or DeviceState.Provisioning or DeviceState.Provisioned or DeviceState.Failed;
}
