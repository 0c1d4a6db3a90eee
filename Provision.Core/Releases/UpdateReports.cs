using Azure;
using Azure.Data.Tables;
using Provision.Core.Storage;

namespace Provision.Core.Releases;

public enum UpdateStatus { Offered, Succeeded, Failed }

/// <summary>How many devices were offered a release, and how many reported success or failure.</summary>
public sealed record ReleaseCounters(int Offered, int Succeeded, int Failed);

public interface IUpdateReportStore
{
    /// <summary>Records the latest status of one device for one release (one entity per device and release).</summary>
    Task RecordAsync(string releaseId, string deviceId, UpdateStatus status, CancellationToken cancellationToken = default);

    Task<UpdateStatus?> GetAsync(string releaseId, string deviceId, CancellationToken cancellationToken = default);

    /// <summary>Counts a release's devices by status; a device that reported counts as offered too.</summary>
    Task<ReleaseCounters> CountAsync(string releaseId, CancellationToken cancellationToken = default);
}

/// <summary>Update reports: partition per release, row per device, so counting a release reads one partition.</summary>
public sealed class TableUpdateReportStore(ProvisionTables tables, TimeProvider clock) : IUpdateReportStore
{
    public async Task RecordAsync(string releaseId, string deviceId, UpdateStatus status, CancellationToken cancellationToken = default)
    {
        TableKeys.Validate(releaseId, "release id");
        TableKeys.Validate(deviceId, "device id");
        var table = await tables.GetAsync(ProvisionTables.Reports, cancellationToken);
        var entity = new TableEntity(releaseId, deviceId) { ["Status"] = status.ToString(), ["At"] = clock.GetUtcNow() };
        await StorageCalls.RunAsync(() => table.UpsertEntityAsync(entity, TableUpdateMode.Replace, cancellationToken), $"record update report of {deviceId}");
    }

    public async Task<UpdateStatus?> GetAsync(string releaseId, string deviceId, CancellationToken cancellationToken = default)
    {
        TableKeys.Validate(releaseId, "release id");
        TableKeys.Validate(deviceId, "device id");
        var table = await tables.GetAsync(ProvisionTables.Reports, cancellationToken);
        var response = await StorageCalls.RunAsync(
            () => table.GetEntityIfExistsAsync<TableEntity>(releaseId, deviceId, cancellationToken: cancellationToken), "read an update report");
        return response.HasValue ? Enum.Parse<UpdateStatus>(response.Value!.GetString("Status")) : null;
    }

    public async Task<ReleaseCounters> CountAsync(string releaseId, CancellationToken cancellationToken = default)
    {
        TableKeys.Validate(releaseId, "release id");
        var table = await tables.GetAsync(ProvisionTables.Reports, cancellationToken);
        var filter = TableClient.CreateQueryFilter($"PartitionKey eq {releaseId}");
        return await StorageCalls.RunAsync(async () =>
        {
            int offered = 0, succeeded = 0, failed = 0;
            await foreach (var entity in table.QueryAsync<TableEntity>(filter, select: ["Status"], cancellationToken: cancellationToken))
            {
                offered++;
                switch (Enum.Parse<UpdateStatus>(entity.GetString("Status")))
                {
                    case UpdateStatus.Succeeded: succeeded++; break;
                    case UpdateStatus.Failed: failed++; break;
                }
            }
            return new ReleaseCounters(offered, succeeded, failed);
        }, $"count reports of release {releaseId}");
    }
}
