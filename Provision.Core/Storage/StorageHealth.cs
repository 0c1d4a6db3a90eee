using System.Diagnostics;
using Azure.Data.Tables;
using Azure.Storage.Queues;
using Microsoft.Extensions.Options;

namespace Provision.Core.Storage;

public sealed record HealthReport(bool Healthy, TimeSpan RoundTrip, string? Reason);

public interface IStorageHealth
{
    Task<HealthReport> CheckAsync(CancellationToken cancellationToken = default);
}

/// <summary>One cheap round trip each to Table Storage and Queue Storage.</summary>
public sealed class StorageHealth(ProvisionTables tables, QueueServiceClient queues, IOptions<StorageOptions> options) : IStorageHealth
{
    public async Task<HealthReport> CheckAsync(CancellationToken cancellationToken = default)
    {
        var watch = Stopwatch.StartNew();
        try
        {
            var devices = await tables.GetAsync(ProvisionTables.Devices, cancellationToken);
            await StorageCalls.RunAsync(
                () => devices.GetEntityIfExistsAsync<TableEntity>("health", "probe", cancellationToken: cancellationToken),
                "read from Table Storage");
            await StorageCalls.RunAsync(
                () => queues.GetQueueClient(options.Value.ProvisionQueue).ExistsAsync(cancellationToken), "reach Queue Storage");
            return new HealthReport(true, watch.Elapsed, null);
        }
        catch (StorageUnavailableException e)
        {
            return new HealthReport(false, watch.Elapsed, e.Message);
        }
    }
}
