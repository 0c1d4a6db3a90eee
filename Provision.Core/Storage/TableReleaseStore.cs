using Azure;
using Azure.Data.Tables;
using Provision.Core.Releases;

namespace Provision.Core.Storage;

/// <summary>The release catalog: one partition per product, one entity per release.</summary>
public sealed class TableReleaseStore(ProvisionTables tables) : IReleaseStore
{
    public async Task<Release> AddAsync(Release release, CancellationToken cancellationToken = default)
    {
        TableKeys.Validate(release.ProductId, "product id");
        TableKeys.Validate(release.Id, "release id");
        release.Validate();
        var existing = await ListAsync(release.ProductId, cancellationToken);
        var version = release.SemVersion;
        if (existing.Any(r => r.SemVersion.ComparePrecedenceTo(version) == 0))
        {
            throw new EntityExistsException($"Product {release.ProductId} already has a release {release.Version}.");
        }
        var table = await tables.GetAsync(ProvisionTables.Releases, cancellationToken);
        var response = await StorageCalls.RunAsync(
            () => table.AddEntityAsync(ToEntity(release), cancellationToken), $"add release {release.Id}");
        release.ETag = response.Headers.ETag?.ToString();
        return release;
    }

    public async Task<Release?> GetAsync(string productId, string releaseId, CancellationToken cancellationToken = default)
    {
        TableKeys.Validate(productId, "product id");
        TableKeys.Validate(releaseId, "release id");
        var table = await tables.GetAsync(ProvisionTables.Releases, cancellationToken);
        var response = await StorageCalls.RunAsync(
            () => table.GetEntityIfExistsAsync<TableEntity>(productId, releaseId, cancellationToken: cancellationToken),
            $"read release {releaseId}");
        return response.HasValue ? FromEntity(response.Value!) : null;
    }

    public async Task<IReadOnlyList<Release>> ListAsync(string productId, CancellationToken cancellationToken = default)
    {
        TableKeys.Validate(productId, "product id");
        var table = await tables.GetAsync(ProvisionTables.Releases, cancellationToken);
        var filter = TableClient.CreateQueryFilter($"PartitionKey eq {productId}");
        var releases = await StorageCalls.RunAsync(async () =>
        {
            var list = new List<Release>();
            await foreach (var entity in table.QueryAsync<TableEntity>(filter, cancellationToken: cancellationToken))
            {
                list.Add(FromEntity(entity));
            }
            return list;
        }, $"list releases of product {productId}");
        return Release.NewestFirst(releases);
    }

    public async Task<Release> UpdateAsync(Release release, CancellationToken cancellationToken = default)
    {
        TableKeys.Validate(release.ProductId, "product id");
        TableKeys.Validate(release.Id, "release id");
        release.Validate();
        var table = await tables.GetAsync(ProvisionTables.Releases, cancellationToken);
        release.ETag = await StorageCalls.ReplaceAsync(table, ToEntity(release), release.ETag, $"update release {release.Id}",
            $"Release {release.Id} of product {release.ProductId} does not exist.", cancellationToken);
        return release;
    }

    public async Task<Release> SetEnabledAsync(string productId, string releaseId, bool enabled, CancellationToken cancellationToken = default)
    {
        var release = await GetAsync(productId, releaseId, cancellationToken)
            ?? throw new EntityNotFoundException($"Release {releaseId} of product {productId} does not exist.");
        release.Enabled = enabled;
        return await UpdateAsync(release, cancellationToken);
    }

    public async Task DeleteAsync(string productId, string releaseId, CancellationToken cancellationToken = default)
    {
        TableKeys.Validate(productId, "product id");
        TableKeys.Validate(releaseId, "release id");
        var table = await tables.GetAsync(ProvisionTables.Releases, cancellationToken);
        await StorageCalls.DeleteExistingAsync(table, productId, releaseId, $"delete release {releaseId}",
            $"Release {releaseId} of product {productId} does not exist.", cancellationToken);
    }

    private static TableEntity ToEntity(Release r) => new(r.ProductId, r.Id)
    {
        [nameof(Release.Version)] = r.Version,
        [nameof(Release.Url)] = r.Url,
        [nameof(Release.Checksum)] = r.Checksum,
        [nameof(Release.TestOnly)] = r.TestOnly,
        [nameof(Release.Policy)] = r.Policy,
        [nameof(Release.Rollout)] = r.Rollout,
        [nameof(Release.MaxDevices)] = r.MaxDevices,
        [nameof(Release.MaxUpdates)] = r.MaxUpdates,
        [nameof(Release.Period)] = r.Period,
        [nameof(Release.Enabled)] = r.Enabled,
        [nameof(Release.Created)] = r.Created,
    };

    private static Release FromEntity(TableEntity e) => new()
    {
        Id = e.RowKey,
        ProductId = e.PartitionKey,
        Version = e.GetString(nameof(Release.Version)),
        Url = e.GetString(nameof(Release.Url)),
        Checksum = e.GetString(nameof(Release.Checksum)),
        TestOnly = e.GetBoolean(nameof(Release.TestOnly)) ?? false,
        Policy = e.GetString(nameof(Release.Policy)),
        Rollout = e.GetInt32(nameof(Release.Rollout)) ?? 100,
        MaxDevices = e.GetInt32(nameof(Release.MaxDevices)),
        MaxUpdates = e.GetInt32(nameof(Release.MaxUpdates)),
        Period = e.GetInt32(nameof(Release.Period)),
        Enabled = e.GetBoolean(nameof(Release.Enabled)) ?? true,
        Created = e.GetDateTimeOffset(nameof(Release.Created)) ?? default,
        ETag = e.ETag.ToString(),
    };
}
