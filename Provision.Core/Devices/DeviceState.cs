namespace Provision.Core.Devices;

public enum DeviceState
{
    Registered,
    Claimed,
    Provisioning,
    Provisioned,
    Failed,

    /// <summary>An operator is releasing or deleting it: no certificate is handed out or issued while AWS is cleaned up.</summary>
    Releasing,
    Released,
}

/// <summary>The device life cycle: which state may follow which.</summary>
public static class DeviceStates
{
    private static readonly Dictionary<DeviceState, DeviceState[]> Allowed = new()
    {
        [DeviceState.Registered] = [DeviceState.Claimed, DeviceState.Releasing],
        [DeviceState.Claimed] = [DeviceState.Provisioning, DeviceState.Failed, DeviceState.Releasing],
        // Provisioned → Provisioning re-issues a certificate once the delivered key has been purged.
        [DeviceState.Provisioning] = [DeviceState.Provisioned, DeviceState.Failed, DeviceState.Releasing],
        [DeviceState.Provisioned] = [DeviceState.Provisioning, DeviceState.Releasing],
        [DeviceState.Failed] = [DeviceState.Claimed, DeviceState.Releasing],
        // Releasing first stops getCerts, re-issue and provisioning; Released only once AWS is clean.
        [DeviceState.Releasing] = [DeviceState.Released],
        // A released device comes back when its agent registers again or an operator claims it again.
        [DeviceState.Released] = [DeviceState.Registered, DeviceState.Claimed],
    };

    public static bool CanMove(DeviceState from, DeviceState to) => Allowed[from].Contains(to);

    /// <summary>States in which the device belongs to an owner account.</summary>
    public static bool IsClaimed(DeviceState state) =>
        state is DeviceState.Claimed or DeviceState.Provisioning or DeviceState.Provisioned or DeviceState.Failed;
}
