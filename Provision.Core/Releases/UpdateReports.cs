using Azure.Data.Tables;
using Provision.Core.Storage;

namespace Provision.Core.Releases;

public enum UpdateStatus { Offered, Succeeded, Failed }

/// <summary>How many devices were offered a release, and how many reported success or failure.</summary>
public sealed record ReleaseCounters(int Offered, int Succeeded, int Failed);

/// <summary>Whether a release may be offered to a device.</summary>
public enum OfferAdmission
{
    /// <summary>A first offer to the device, now counted (and within the release's limits).</summary>
    Counted,

    /// <summary>The device was counted before: offer it again without counting.</summary>
    AlreadyCounted,

    /// <summary>The release's device or per-period limit is reached: no offer.</summary>
    LimitReached,
}

public interface IUpdateReportStore
{
    /// <summary>
    /// Counts a first offer of <paramref name="release"/> to a device, exactly once per device, within the release's
    /// <see cref="Release.MaxDevices"/> and <see cref="Release.MaxUpdates"/> per <see cref="Release.Period"/>.
    /// </summary>
    Task<OfferAdmission> AdmitOfferAsync(Release release, string deviceId, CancellationToken cancellationToken = default);

    /// <summary>Records the latest outcome a device reported for a release; a device that reports counts as offered too.</summary>
    Task RecordOutcomeAsync(string releaseId, string deviceId, bool success, CancellationToken cancellationToken = default);

    Task<UpdateStatus?> GetAsync(string releaseId, string deviceId, CancellationToken cancellationToken = default);

    /// <summary>A release's counters, read in constant time whatever the number of devices.</summary>
    Task<ReleaseCounters> CountAsync(string releaseId, CancellationToken cancellationToken = default);
}

/// <summary>
/// Update reports and release counters in Table Storage, spread so that no partition carries a release's load:
/// <list type="bullet">
/// <item>Reports: one entity per device and release, partitioned by device (the device's reports are one partition,
/// a release's reports are spread over all of them). Inserting it is what makes a first offer count exactly once.</item>
/// <item>ReleaseCounters: <see cref="Shards"/> counter entities per release, each its own partition, changed by
/// conditional writes (ETag) on a random shard and summed on read; and one limit entity per release holding the
/// devices offered in all and in the current period, reserved by a conditional write before a first offer.</item>
/// </list>
/// </summary>
public sealed class TableUpdateReportStore(ProvisionTables tables, TimeProvider clock) : IUpdateReportStore
{
    public const int Shards = 16;

    // Writers racing on one entity read again and retry; a shard is picked at random on each attempt.
    private const int MaxAttempts = 64;
    private const string CountsRow = "counts";
    private const string LimitRow = "limits";

    public async Task<OfferAdmission> AdmitOfferAsync(Release release, string deviceId, CancellationToken cancellationToken = default)
    {
        TableKeys.Validate(release.Id, "release id");
        TableKeys.Validate(deviceId, "device id");
        var reports = await tables.GetAsync(ProvisionTables.Reports, cancellationToken);
        long? window = null;
        if (release.HasLimits)
        {
            // A device counted before is offered again without spending a place, even when the limit is reached.
            if (await ReadReportAsync(reports, release.Id, deviceId, cancellationToken) is not null)
            {
                return OfferAdmission.AlreadyCounted;
            }
            window = await ReserveAsync(release, cancellationToken);
            if (window is null)
            {
                return OfferAdmission.LimitReached;
            }
        }
        var report = Report(release.Id, deviceId, UpdateStatus.Offered);
        if (!await StorageCalls.TryWriteAsync(reports, report, null, $"record the offer of release {release.Id} to {deviceId}", cancellationToken))
        {
            // A concurrent check-in of the same device counted it.
            if (window is { } reserved)
            {
                await GiveBackAsync(release, reserved, cancellationToken);
            }
            return OfferAdmission.AlreadyCounted;
        }
        await AddAsync(release.Id, new ReleaseCounters(1, 0, 0), cancellationToken);
        return OfferAdmission.Counted;
    }

    public async Task RecordOutcomeAsync(string releaseId, string deviceId, bool success, CancellationToken cancellationToken = default)
    {
        TableKeys.Validate(releaseId, "release id");
        TableKeys.Validate(deviceId, "device id");
        var reports = await tables.GetAsync(ProvisionTables.Reports, cancellationToken);
        var status = success ? UpdateStatus.Succeeded : UpdateStatus.Failed;
        for (var attempt = 0; attempt < MaxAttempts; attempt++)
        {
            var existing = await ReadReportAsync(reports, releaseId, deviceId, cancellationToken);
            var previous = existing is null ? (UpdateStatus?)null : Status(existing);
            if (previous == status)
            {
                return;
            }
            if (await StorageCalls.TryWriteAsync(reports, Report(releaseId, deviceId, status), existing?.ETag, $"record the update report of {deviceId}", cancellationToken))
            {
                await AddAsync(releaseId, new ReleaseCounters(
                    previous is null ? 1 : 0,
                    (status == UpdateStatus.Succeeded ? 1 : 0) - (previous == UpdateStatus.Succeeded ? 1 : 0),
                    (status == UpdateStatus.Failed ? 1 : 0) - (previous == UpdateStatus.Failed ? 1 : 0)), cancellationToken);
                return;
            }
        }
        throw new ConcurrencyException($"Could not record the update report of {deviceId}: it kept changing. Retry.");
    }

    public async Task<UpdateStatus?> GetAsync(string releaseId, string deviceId, CancellationToken cancellationToken = default)
    {
        TableKeys.Validate(releaseId, "release id");
        TableKeys.Validate(deviceId, "device id");
        var reports = await tables.GetAsync(ProvisionTables.Reports, cancellationToken);
        return await ReadReportAsync(reports, releaseId, deviceId, cancellationToken) is { } report ? Status(report) : null;
    }

    public async Task<ReleaseCounters> CountAsync(string releaseId, CancellationToken cancellationToken = default)
    {
        TableKeys.Validate(releaseId, "release id");
        var counters = await tables.GetAsync(ProvisionTables.ReleaseCounters, cancellationToken);
        var filter = TableClient.CreateQueryFilter(
            $"PartitionKey ge {ShardKey(releaseId, 0)} and PartitionKey le {ShardKey(releaseId, Shards - 1)} and RowKey eq {CountsRow}");
        return await StorageCalls.RunAsync(async () =>
        {
            int offered = 0, succeeded = 0, failed = 0;
            await foreach (var shard in counters.QueryAsync<TableEntity>(filter, cancellationToken: cancellationToken))
            {
                offered += shard.GetInt32(nameof(ReleaseCounters.Offered)) ?? 0;
                succeeded += shard.GetInt32(nameof(ReleaseCounters.Succeeded)) ?? 0;
                failed += shard.GetInt32(nameof(ReleaseCounters.Failed)) ?? 0;
            }
            return new ReleaseCounters(offered, succeeded, failed);
        }, $"read the counters of release {releaseId}");
    }

    /// <summary>Adds to one shard of a release's counters, picked at random so concurrent writers rarely meet.</summary>
    private async Task AddAsync(string releaseId, ReleaseCounters delta, CancellationToken cancellationToken)
    {
        var counters = await tables.GetAsync(ProvisionTables.ReleaseCounters, cancellationToken);
        for (var attempt = 0; attempt < MaxAttempts; attempt++)
        {
            var key = ShardKey(releaseId, Random.Shared.Next(Shards));
            var read = await StorageCalls.RunAsync(
                () => counters.GetEntityIfExistsAsync<TableEntity>(key, CountsRow, cancellationToken: cancellationToken), $"read the counters of release {releaseId}");
            var shard = read.HasValue ? read.Value! : null;
            var next = new TableEntity(key, CountsRow)
            {
                [nameof(ReleaseCounters.Offered)] = (shard?.GetInt32(nameof(ReleaseCounters.Offered)) ?? 0) + delta.Offered,
                [nameof(ReleaseCounters.Succeeded)] = (shard?.GetInt32(nameof(ReleaseCounters.Succeeded)) ?? 0) + delta.Succeeded,
                [nameof(ReleaseCounters.Failed)] = (shard?.GetInt32(nameof(ReleaseCounters.Failed)) ?? 0) + delta.Failed,
            };
            if (await StorageCalls.TryWriteAsync(counters, next, shard?.ETag, $"count for release {releaseId}", cancellationToken))
            {
                return;
            }
        }
        throw new ConcurrencyException($"Could not count for release {releaseId}: its counters kept changing. Retry.");
    }

    /// <summary>Takes one place within the release's limits; the period window it was counted in, or null when a limit is reached.</summary>
    private async Task<long?> ReserveAsync(Release release, CancellationToken cancellationToken)
    {
        var counters = await tables.GetAsync(ProvisionTables.ReleaseCounters, cancellationToken);
        for (var attempt = 0; attempt < MaxAttempts; attempt++)
        {
            var limit = await ReadLimitAsync(counters, release.Id, cancellationToken);
            var window = Window(release);
            var devices = limit?.GetInt32("Devices") ?? 0;
            var inWindow = limit?.GetInt64("Window") == window ? limit.GetInt32("WindowDevices") ?? 0 : 0;
            if (devices >= release.MaxDevices || inWindow >= release.MaxUpdates)
            {
                return null;
            }
            if (await StorageCalls.TryWriteAsync(counters, Limit(release.Id, devices + 1, window, inWindow + 1), limit?.ETag, $"reserve an offer of release {release.Id}", cancellationToken))
            {
                return window;
            }
        }
        // So contended that no place could be taken: no offer now; the device asks again at its next check-in.
        return null;
    }

    /// <summary>Returns a place taken by <see cref="ReserveAsync"/> that was not used.</summary>
    private async Task GiveBackAsync(Release release, long window, CancellationToken cancellationToken)
    {
        var counters = await tables.GetAsync(ProvisionTables.ReleaseCounters, cancellationToken);
        for (var attempt = 0; attempt < MaxAttempts; attempt++)
        {
            var limit = await ReadLimitAsync(counters, release.Id, cancellationToken);
            if (limit is null)
            {
                return;
            }
            var current = limit.GetInt64("Window") ?? 0;
            var inWindow = limit.GetInt32("WindowDevices") ?? 0;
            var next = Limit(release.Id, Math.Max(0, (limit.GetInt32("Devices") ?? 0) - 1), current, current == window ? Math.Max(0, inWindow - 1) : inWindow);
            if (await StorageCalls.TryWriteAsync(counters, next, limit.ETag, $"return an offer of release {release.Id}", cancellationToken))
            {
                return;
            }
        }
        throw new ConcurrencyException($"Could not count for release {release.Id}: its limits kept changing. Retry.");
    }

    /// <summary>The start of the current period in Unix seconds: fixed windows every instance agrees on.</summary>
    private long Window(Release release)
    {
        var period = (long)release.UpdatePeriod.TotalSeconds;
        return clock.GetUtcNow().ToUnixTimeSeconds() / period * period;
    }

    private static async Task<TableEntity?> ReadLimitAsync(TableClient counters, string releaseId, CancellationToken cancellationToken)
    {
        var read = await StorageCalls.RunAsync(
            () => counters.GetEntityIfExistsAsync<TableEntity>(releaseId, LimitRow, cancellationToken: cancellationToken), $"read the limits of release {releaseId}");
        return read.HasValue ? read.Value! : null;
    }

    private static async Task<TableEntity?> ReadReportAsync(TableClient reports, string releaseId, string deviceId, CancellationToken cancellationToken)
    {
        var read = await StorageCalls.RunAsync(
            () => reports.GetEntityIfExistsAsync<TableEntity>(deviceId, releaseId, cancellationToken: cancellationToken), $"read the update report of {deviceId}");
        return read.HasValue ? read.Value! : null;
    }

    private TableEntity Report(string releaseId, string deviceId, UpdateStatus status) =>
        new(deviceId, releaseId) { ["Status"] = status.ToString(), ["At"] = clock.GetUtcNow() };

    private static TableEntity Limit(string releaseId, int devices, long window, int windowDevices) =>
        new(releaseId, LimitRow) { ["Devices"] = devices, ["Window"] = window, ["WindowDevices"] = windowDevices };

    private static UpdateStatus Status(TableEntity report) => Enum.Parse<UpdateStatus>(report.GetString("Status"));

    // Release ids are table keys, so '~' followed by two digits makes keys no release id can collide with at the range's ends.
    private static string ShardKey(string releaseId, int shard) => $"{releaseId}~{shard:D2}";
}
