using Azure;
using Azure.Data.Tables;
using Provision.Core.Admin;

namespace Provision.Core.Storage;

/// <summary>Admin keys, one entity each in a single partition: few, and read by id.</summary>
public sealed class TableAdminKeyStore(ProvisionTables tables) : IAdminKeyStore
{
    private const string Partition = "adminkey";

    public async Task<AdminKey> CreateAsync(AdminKey key, CancellationToken cancellationToken = default)
    {
        TableKeys.Validate(key.Id, "admin key id");
        var table = await tables.GetAsync(ProvisionTables.AdminKeys, cancellationToken);
        var entity = new TableEntity(Partition, key.Id)
        {
            [nameof(AdminKey.Name)] = key.Name,
            [nameof(AdminKey.KeyHash)] = key.KeyHash,
            [nameof(AdminKey.Created)] = key.Created,
            [nameof(AdminKey.Scopes)] = string.Join(",", key.Scopes),
        };
        await StorageCalls.RunAsync(() => table.AddEntityAsync(entity, cancellationToken), $"create admin key {key.Id}");
        return key;
    }

    public async Task<AdminKey?> GetAsync(string keyId, CancellationToken cancellationToken = default)
    {
        TableKeys.Validate(keyId, "admin key id");
        var table = await tables.GetAsync(ProvisionTables.AdminKeys, cancellationToken);
        var response = await StorageCalls.RunAsync(
            () => table.GetEntityIfExistsAsync<TableEntity>(Partition, keyId, cancellationToken: cancellationToken), "read an admin key");
        return response.HasValue ? FromEntity(response.Value!) : null;
    }

    public async Task<IReadOnlyList<AdminKey>> ListAsync(CancellationToken cancellationToken = default)
    {
        var table = await tables.GetAsync(ProvisionTables.AdminKeys, cancellationToken);
        var filter = TableClient.CreateQueryFilter($"PartitionKey eq {Partition}");
        return await StorageCalls.RunAsync(async () =>
        {
            var list = new List<AdminKey>();
            await foreach (var entity in table.QueryAsync<TableEntity>(filter, cancellationToken: cancellationToken))
            {
                list.Add(FromEntity(entity));
            }
            return list.OrderBy(k => k.Created).ToList();
        }, "list admin keys");
    }

    public async Task RevokeAsync(string keyId, DateTimeOffset revoked, CancellationToken cancellationToken = default)
    {
        TableKeys.Validate(keyId, "admin key id");
        var table = await tables.GetAsync(ProvisionTables.AdminKeys, cancellationToken);
        var entity = new TableEntity(Partition, keyId) { [nameof(AdminKey.Revoked)] = revoked };
        await StorageCalls.ReplaceAsync(table, entity, ETag.All.ToString(), $"revoke admin key {keyId}", $"Admin key {keyId} does not exist.",
            cancellationToken, TableUpdateMode.Merge);
    }

    private static AdminKey FromEntity(TableEntity e) => new()
    {
        Id = e.RowKey,
        Name = e.GetString(nameof(AdminKey.Name)),
        KeyHash = e.GetString(nameof(AdminKey.KeyHash)),
        Created = e.GetDateTimeOffset(nameof(AdminKey.Created)) ?? default,
        // Keys from before scopes existed could do everything.
        Scopes = e.GetString(nameof(AdminKey.Scopes)) is { Length: > 0 } scopes ? scopes.Split(',') : [AdminScopes.Admin],
        Revoked = e.GetDateTimeOffset(nameof(AdminKey.Revoked)),
    };
}
