using Provision.Core;
using Provision.Core.Devices;

namespace Provision.Tests.Infrastructure;

/// <summary>
/// The real device store, with hooks to stage a race or a crash: <see cref="AfterGet"/> runs once a read has returned
/// (e.g. to let an operator act before the caller goes on), <see cref="BeforeUpdate"/> before an update is written.
/// </summary>
public sealed class HookedDeviceStore(IDeviceStore inner) : IDeviceStore
{
    public Func<Device?, Task>? AfterGet { get; set; }

    public Func<Device, Task>? BeforeUpdate { get; set; }

    public async Task<Device?> GetAsync(string deviceId, CancellationToken cancellationToken = default)
    {
        var device = await inner.GetAsync(deviceId, cancellationToken);
        if (AfterGet is { } hook)
        {
            await hook(device);
        }
        return device;
    }

    public async Task<Device> UpdateAsync(Device device, CancellationToken cancellationToken = default)
    {
        if (BeforeUpdate is { } hook)
        {
            await hook(device);
        }
        return await inner.UpdateAsync(device, cancellationToken);
    }

    public Task<Device> MergeAsync(Device device, IReadOnlyCollection<string> properties, CancellationToken cancellationToken = default) => inner.MergeAsync(device, properties, cancellationToken);
    public Task<Device> CreateAsync(Device device, CancellationToken cancellationToken = default) => inner.CreateAsync(device, cancellationToken);
    public Task<ResultPage<Device>> ListByProductAsync(string productId, int pageSize, string? continuationToken, DeviceState? state = null, CancellationToken cancellationToken = default) => inner.ListByProductAsync(productId, pageSize, continuationToken, state, cancellationToken);
    public Task<string?> FindIdByTokenHashAsync(string tokenHash, CancellationToken cancellationToken = default) => inner.FindIdByTokenHashAsync(tokenHash, cancellationToken);
    public Task<Device> ReplaceTokenAsync(Device device, string newTokenHash, CancellationToken cancellationToken = default) => inner.ReplaceTokenAsync(device, newTokenHash, cancellationToken);
    public Task<IReadOnlyList<Device>> ListKeysToPurgeAsync(DateTimeOffset now, int max, CancellationToken cancellationToken = default) => inner.ListKeysToPurgeAsync(now, max, cancellationToken);
    public Task DeleteAsync(Device device, CancellationToken cancellationToken = default) => inner.DeleteAsync(device, cancellationToken);
}
