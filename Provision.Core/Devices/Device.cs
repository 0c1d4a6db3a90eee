namespace Provision.Core.Devices;

/// <summary>One device of the registry.</summary>
public sealed class Device
{
    public required string Id { get; init; }
    public required string ProductId { get; init; }
    public DeviceState State { get; private set; } = DeviceState.Registered;

    /// <summary>SHA-256 of the device token (hex); the token itself is never stored.</summary>
    public required string TokenHash { get; set; }

    /// <summary>The owning manager account, set when the device is claimed.</summary>
    public string? AccountId { get; set; }

    public string? ThingName { get; set; }
    public string? CertificateId { get; set; }
    public string? CertificateArn { get; set; }
    public string? CertificatePem { get; set; }

    /// <summary>True when the certificate was issued from the device's CSR: its key never left the device.</summary>
    public bool CertificateFromCsr { get; set; }

    /// <summary>A certificate being replaced: deactivated and detached once its successor is attached.</summary>
    public string? PreviousCertificateId { get; set; }
    public string? PreviousCertificateArn { get; set; }

    /// <summary>
    /// A replaced certificate, inactive and detached, deleted in AWS once <see cref="RetiredCertificateDeleteAfter"/> has
    /// passed (AWS detaches asynchronously, so it is not deleted at once).
    /// </summary>
    public string? RetiredCertificateId { get; set; }
    public DateTimeOffset? RetiredCertificateDeleteAfter { get; set; }

    /// <summary>When a provisioning message was last queued for the device.</summary>
    public DateTimeOffset? ProvisionRequested { get; set; }

    /// <summary>The release last offered at check-in, so each offer is counted once.</summary>
    public string? OfferedRelease { get; set; }

    /// <summary>The private key, encrypted (key id + AES-GCM); absent when a CSR was used or after delivery.</summary>
    public string? EncryptedPrivateKey { get; set; }
    public DateTimeOffset? KeyPurgeAfter { get; set; }

    /// <summary>A CSR the device sent for its next certificate; the key then never leaves the device.</summary>
    public string? PendingCsr { get; set; }

    public string? Version { get; set; }

    /// <summary>Other properties the device reported at check-in, as a JSON object.</summary>
    public string? Properties { get; set; }

    public DateTimeOffset? LastCheckin { get; set; }
    public string? FailureReason { get; set; }
    public DateTimeOffset Created { get; init; }
    public DateTimeOffset Updated { get; set; }

    /// <summary>The version of the stored entity this instance was read from; null for a new device.</summary>
    public string? ETag { get; set; }

    /// <summary>Moves the device to another state, refusing moves the life cycle does not allow.</summary>
    public void MoveTo(DeviceState next)
    {
        if (!DeviceStates.CanMove(State, next))
        {
            throw new ValidationException($"Device {Id} cannot move from {State} to {next}.");
        }
        State = next;
    }

    /// <summary>Restores the stored state; used only when reading from storage.</summary>
    internal void Restore(DeviceState state) => State = state;
}
