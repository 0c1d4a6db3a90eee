namespace Provision.Core.Devices;

public interface IDeviceStore
{
    /// <summary>Adds a new device; <see cref="EntityExistsException"/> when the id is taken.</summary>
    Task<Device> CreateAsync(Device device, CancellationToken cancellationToken = default);

    /// <summary>Point read by id; null when there is no such device.</summary>
    Task<Device?> GetAsync(string deviceId, CancellationToken cancellationToken = default);

    /// <summary>Writes the device if nobody changed it since it was read; else <see cref="ConcurrencyException"/>.</summary>
    Task<Device> UpdateAsync(Device device, CancellationToken cancellationToken = default);

    /// <summary>
    /// Writes only the named properties (and the update time) if nobody changed the device since it was read;
    /// else <see cref="ConcurrencyException"/>. A merge cannot remove a property, so each named one must have a value.
    /// </summary>
    Task<Device> MergeAsync(Device device, IReadOnlyCollection<string> properties, CancellationToken cancellationToken = default);

    /// <summary>A page of the product's devices, only those in <paramref name="state"/> when it is given.</summary>
    Task<ResultPage<Device>> ListByProductAsync(
        string productId, int pageSize, string? continuationToken, DeviceState? state = null, CancellationToken cancellationToken = default);

    /// <summary>The id of the device whose token has this hash, or null.</summary>
    Task<string?> FindIdByTokenHashAsync(string tokenHash, CancellationToken cancellationToken = default);

    /// <summary>Gives the device a new token (hash) and retires the old one.</summary>
    Task<Device> ReplaceTokenAsync(Device device, string newTokenHash, CancellationToken cancellationToken = default);

    /// <summary>Devices whose private key delivery window has ended, or whose retired certificate is due for deletion.</summary>
    Task<IReadOnlyList<Device>> ListKeysToPurgeAsync(DateTimeOffset now, int max, CancellationToken cancellationToken = default);

    /// <summary>Deletes the device if nobody changed it since it was read.</summary>
    Task DeleteAsync(Device device, CancellationToken cancellationToken = default);
}
