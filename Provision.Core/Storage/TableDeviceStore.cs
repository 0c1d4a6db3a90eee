using Azure;
using Azure.Data.Tables;
using Provision.Core.Devices;

namespace Provision.Core.Storage;

/// <summary>The device registry: one entity per device, partitioned by device id for point reads and even load.</summary>
public sealed class TableDeviceStore(ProvisionTables tables, TimeProvider clock) : IDeviceStore
{
    private const string Row = "device";
    private const string TokenRow = "token";

    public async Task<Device> CreateAsync(Device device, CancellationToken cancellationToken = default)
    {
        TableKeys.Validate(device.Id, "device id");
        TableKeys.Validate(device.ProductId, "product id");
        var table = await tables.GetAsync(ProvisionTables.Devices, cancellationToken);
        // The token index first: an index entry without its device is harmless, the reverse would lock the device out.
        await IndexTokenAsync(device.TokenHash, device.Id, cancellationToken);
        device.Updated = clock.GetUtcNow();
        var response = await StorageCalls.RunAsync(
            () => table.AddEntityAsync(ToEntity(device), cancellationToken), $"create device {device.Id}");
        device.ETag = response.Headers.ETag?.ToString();
        return device;
    }

    public async Task<string?> FindIdByTokenHashAsync(string tokenHash, CancellationToken cancellationToken = default)
    {
        TableKeys.Validate(tokenHash, "token hash");
        var index = await tables.GetAsync(ProvisionTables.DeviceTokens, cancellationToken);
        var response = await StorageCalls.RunAsync(
            () => index.GetEntityIfExistsAsync<TableEntity>(tokenHash, TokenRow, cancellationToken: cancellationToken),
            "look up a device token");
        return response.HasValue ? response.Value!.GetString("DeviceId") : null;
    }

    public async Task<Device> ReplaceTokenAsync(Device device, string newTokenHash, CancellationToken cancellationToken = default)
    {
        var oldHash = device.TokenHash;
        await IndexTokenAsync(newTokenHash, device.Id, cancellationToken);
        device.TokenHash = newTokenHash;
        try
        {
            await UpdateAsync(device, cancellationToken);
        }
        catch
        {
            device.TokenHash = oldHash;
            throw;
        }
        await RemoveTokenIndexAsync(oldHash, cancellationToken);
        return device;
    }

    private async Task IndexTokenAsync(string tokenHash, string deviceId, CancellationToken cancellationToken)
    {
        TableKeys.Validate(tokenHash, "token hash");
        var index = await tables.GetAsync(ProvisionTables.DeviceTokens, cancellationToken);
        var entity = new TableEntity(tokenHash, TokenRow) { ["DeviceId"] = deviceId };
        await StorageCalls.RunAsync(() => index.UpsertEntityAsync(entity, TableUpdateMode.Replace, cancellationToken), "index a device token");
    }

    private async Task RemoveTokenIndexAsync(string tokenHash, CancellationToken cancellationToken)
    {
        var index = await tables.GetAsync(ProvisionTables.DeviceTokens, cancellationToken);
        await StorageCalls.RunAsync(() => index.DeleteEntityAsync(tokenHash, TokenRow, ETag.All, cancellationToken), "remove a device token");
    }

    public async Task<Device?> GetAsync(string deviceId, CancellationToken cancellationToken = default)
    {
        TableKeys.Validate(deviceId, "device id");
        var table = await tables.GetAsync(ProvisionTables.Devices, cancellationToken);
        var response = await StorageCalls.RunAsync(
            () => table.GetEntityIfExistsAsync<TableEntity>(deviceId, Row, cancellationToken: cancellationToken),
            $"read device {deviceId}");
        return response.HasValue ? FromEntity(response.Value!) : null;
    }

    public async Task<Device> UpdateAsync(Device device, CancellationToken cancellationToken = default)
    {
        TableKeys.Validate(device.Id, "device id");
        var table = await tables.GetAsync(ProvisionTables.Devices, cancellationToken);
        device.Updated = clock.GetUtcNow();
        device.ETag = await StorageCalls.ReplaceAsync(
            table, ToEntity(device), device.ETag, $"update device {device.Id}", $"Device {device.Id} does not exist.", cancellationToken);
        return device;
    }

    public async Task<Device> MergeAsync(Device device, IReadOnlyCollection<string> properties, CancellationToken cancellationToken = default)
    {
        TableKeys.Validate(device.Id, "device id");
        var table = await tables.GetAsync(ProvisionTables.Devices, cancellationToken);
        device.Updated = clock.GetUtcNow();
        var full = ToEntity(device);
        var changes = new TableEntity(device.Id, Row) { [nameof(Device.Updated)] = device.Updated };
        foreach (var name in properties)
        {
            changes[name] = full[name] ?? throw new ArgumentException($"Device property {name} has no value: a merge cannot remove it.", nameof(properties));
        }
        device.ETag = await StorageCalls.ReplaceAsync(
            table, changes, device.ETag, $"update device {device.Id}", $"Device {device.Id} does not exist.", cancellationToken, TableUpdateMode.Merge);
        return device;
    }

    public async Task<ResultPage<Device>> ListByProductAsync(
        string productId, int pageSize, string? continuationToken, DeviceState? state = null, CancellationToken cancellationToken = default)
    {
        TableKeys.Validate(productId, "product id");
        if (pageSize is < 1 or > 1000)
        {
            throw new ValidationException("Page size must be between 1 and 1000.");
        }
        var table = await tables.GetAsync(ProvisionTables.Devices, cancellationToken);
        var filter = state is { } only
            ? TableClient.CreateQueryFilter($"ProductId eq {productId} and State eq {only.ToString()}")
            : TableClient.CreateQueryFilter($"ProductId eq {productId}");
        return await StorageCalls.RunAsync(async () =>
        {
            // Devices are partitioned by id, so this is a filtered scan; it serves operators, never the device hot path.
            var token = continuationToken;
            await foreach (var page in table.QueryAsync<TableEntity>(filter, pageSize, cancellationToken: cancellationToken).AsPages(token, pageSize))
            {
                if (page.Values.Count > 0 || page.ContinuationToken is null)
                {
                    return new ResultPage<Device>(page.Values.Select(FromEntity).ToList(), page.ContinuationToken);
                }
            }
            return new ResultPage<Device>([], null);
        }, $"list devices of product {productId}");
    }

    public async Task DeleteAsync(Device device, CancellationToken cancellationToken = default)
    {
        TableKeys.Validate(device.Id, "device id");
        var table = await tables.GetAsync(ProvisionTables.Devices, cancellationToken);
        var etag = device.ETag is null ? ETag.All : new ETag(device.ETag);
        await StorageCalls.RunAsync(
            () => table.DeleteEntityAsync(device.Id, Row, etag, cancellationToken), $"delete device {device.Id}");
        await RemoveTokenIndexAsync(device.TokenHash, cancellationToken);
    }

    public async Task<IReadOnlyList<Device>> ListKeysToPurgeAsync(DateTimeOffset now, int max, CancellationToken cancellationToken = default)
    {
        var table = await tables.GetAsync(ProvisionTables.Devices, cancellationToken);
        var filter = TableClient.CreateQueryFilter($"KeyPurgeAfter le {now} or RetiredCertificateDeleteAfter le {now}");
        return await StorageCalls.RunAsync(async () =>
        {
            var due = new List<Device>();
            await foreach (var entity in table.QueryAsync<TableEntity>(filter, cancellationToken: cancellationToken))
            {
                due.Add(FromEntity(entity));
                if (due.Count >= max)
                {
                    break;
                }
            }
            return due;
        }, "list private keys due for purge");
    }

    private static TableEntity ToEntity(Device d) => new(d.Id, Row)
    {
        [nameof(Device.ProductId)] = d.ProductId,
        [nameof(Device.State)] = d.State.ToString(),
        [nameof(Device.TokenHash)] = d.TokenHash,
        [nameof(Device.AccountId)] = d.AccountId,
        [nameof(Device.ThingName)] = d.ThingName,
        [nameof(Device.CertificateId)] = d.CertificateId,
        [nameof(Device.CertificateArn)] = d.CertificateArn,
        [nameof(Device.CertificatePem)] = d.CertificatePem,
        [nameof(Device.CertificateFromCsr)] = d.CertificateFromCsr,
        [nameof(Device.PreviousCertificateId)] = d.PreviousCertificateId,
        [nameof(Device.PreviousCertificateArn)] = d.PreviousCertificateArn,
        [nameof(Device.ProvisionRequested)] = d.ProvisionRequested,
        [nameof(Device.OfferedRelease)] = d.OfferedRelease,
        [nameof(Device.EncryptedPrivateKey)] = d.EncryptedPrivateKey,
        [nameof(Device.KeyPurgeAfter)] = d.KeyPurgeAfter,
        [nameof(Device.RetiredCertificateId)] = d.RetiredCertificateId,
        [nameof(Device.RetiredCertificateDeleteAfter)] = d.RetiredCertificateDeleteAfter,
        [nameof(Device.PendingCsr)] = d.PendingCsr,
        [nameof(Device.Version)] = d.Version,
        [nameof(Device.Properties)] = d.Properties,
        [nameof(Device.LastCheckin)] = d.LastCheckin,
        [nameof(Device.FailureReason)] = d.FailureReason,
        [nameof(Device.Created)] = d.Created,
        [nameof(Device.Updated)] = d.Updated,
    };

    private static Device FromEntity(TableEntity e)
    {
        var device = new Device
        {
            Id = e.PartitionKey,
            ProductId = e.GetString(nameof(Device.ProductId)),
            TokenHash = e.GetString(nameof(Device.TokenHash)),
            AccountId = e.GetString(nameof(Device.AccountId)),
            ThingName = e.GetString(nameof(Device.ThingName)),
            CertificateId = e.GetString(nameof(Device.CertificateId)),
            CertificateArn = e.GetString(nameof(Device.CertificateArn)),
            CertificatePem = e.GetString(nameof(Device.CertificatePem)),
            CertificateFromCsr = e.GetBoolean(nameof(Device.CertificateFromCsr)) ?? false,
            PreviousCertificateId = e.GetString(nameof(Device.PreviousCertificateId)),
            PreviousCertificateArn = e.GetString(nameof(Device.PreviousCertificateArn)),
            ProvisionRequested = e.GetDateTimeOffset(nameof(Device.ProvisionRequested)),
            OfferedRelease = e.GetString(nameof(Device.OfferedRelease)),
            EncryptedPrivateKey = e.GetString(nameof(Device.EncryptedPrivateKey)),
            KeyPurgeAfter = e.GetDateTimeOffset(nameof(Device.KeyPurgeAfter)),
            RetiredCertificateId = e.GetString(nameof(Device.RetiredCertificateId)),
            RetiredCertificateDeleteAfter = e.GetDateTimeOffset(nameof(Device.RetiredCertificateDeleteAfter)),
            PendingCsr = e.GetString(nameof(Device.PendingCsr)),
            Version = e.GetString(nameof(Device.Version)),
            Properties = e.GetString(nameof(Device.Properties)),
            LastCheckin = e.GetDateTimeOffset(nameof(Device.LastCheckin)),
            FailureReason = e.GetString(nameof(Device.FailureReason)),
            Created = e.GetDateTimeOffset(nameof(Device.Created)) ?? default,
            Updated = e.GetDateTimeOffset(nameof(Device.Updated)) ?? default,
            ETag = e.ETag.ToString(),
        };
        device.Restore(Enum.Parse<DeviceState>(e.GetString(nameof(Device.State))));
        return device;
    }
}
