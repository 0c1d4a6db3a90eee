using System.Collections.Concurrent;
using Azure;
using Azure.Data.Tables;
using Microsoft.Extensions.Options;

namespace Provision.Core.Storage;

/// <summary>The service's tables, each created on first use, once per process.</summary>
public sealed class ProvisionTables(TableServiceClient service, IOptions<StorageOptions> options)
{
    public const string Devices = "Devices";
    public const string DeviceTokens = "DeviceTokens";
    public const string Products = "Products";
    public const string ProductTokens = "ProductTokens";
    public const string Releases = "Releases";
    public const string Reports = "Reports";
    public const string ReleaseCounters = "ReleaseCounters";
    public const string Audit = "Audit";
    public const string AdminKeys = "AdminKeys";
    public const string Limits = "Limits";
    public const string FleetTokens = "FleetTokens";

    private readonly ConcurrentDictionary<string, CreateOnce<TableClient>> _tables = new();

    public string NameOf(string table) => options.Value.TablePrefix + table;

    public Task<TableClient> GetAsync(string table, CancellationToken cancellationToken = default)
    {
        return _tables.GetOrAdd(table, t => new CreateOnce<TableClient>(() => CreateAsync(t))).GetAsync(cancellationToken);
    }

    private async Task<TableClient> CreateAsync(string table)
    {
        if (!TableKeys.IsValidTableName(NameOf(table)))
        {
            throw new ValidationException($"Table name {NameOf(table)} is not valid: check Storage:TablePrefix.");
        }
        var client = service.GetTableClient(NameOf(table));
        await StorageCalls.RunAsync(() => client.CreateIfNotExistsAsync(), $"create table {client.Name}");
        return client;
    }
}

/// <summary>Turns Table Storage failures into the service's own errors.</summary>
internal static class StorageCalls
{
    public static async Task<T> RunAsync<T>(Func<Task<T>> call, string what)
    {
        try
        {
            return await call();
        }
        catch (RequestFailedException e) when (e.Status == 412)
        {
            throw new ConcurrencyException($"Could not {what}: it was changed by another writer. Read it again and retry.", e);
        }
        catch (RequestFailedException e) when (e.Status == 409)
        {
            throw new EntityExistsException($"Could not {what}: it exists already.", e);
        }
        catch (RequestFailedException e) when (e.Status is 0 or 408 or 429 or >= 500)
        {
            throw new StorageUnavailableException($"Storage is unavailable ({what}).", e);
        }
        catch (Exception e) when (e is HttpRequestException or AggregateException or TimeoutException or TaskCanceledException)
        {
            throw new StorageUnavailableException($"Storage is unavailable ({what}).", e);
        }
    }

    public static Task RunAsync(Func<Task> call, string what) =>
        RunAsync(async () => { await call(); return true; }, what);

    /// <summary>Replaces (or merges into) an entity read earlier if nobody changed it since; returns its new ETag.</summary>
    public static async Task<string?> ReplaceAsync(
        TableClient table, TableEntity entity, string? etag, string what, string missing, CancellationToken cancellationToken,
        TableUpdateMode mode = TableUpdateMode.Replace)
    {
        if (etag is null)
        {
            throw new InvalidOperationException($"Only an entity read from the store can be updated ({what}).");
        }
        try
        {
            var response = await RunAsync(
                () => table.UpdateEntityAsync(entity, new ETag(etag), mode, cancellationToken), what);
            return response.Headers.ETag?.ToString();
        }
        catch (RequestFailedException e) when (e.Status == 404)
        {
            throw new EntityNotFoundException(missing);
        }
    }

    /// <summary>
    /// Writes an entity only if it is unchanged since it was read (<paramref name="etag"/>), or inserts it when it was not
    /// there (<paramref name="etag"/> null); false when another writer got there first, so the caller reads again and retries.
    /// </summary>
    public static async Task<bool> TryWriteAsync(TableClient table, TableEntity entity, ETag? etag, string what, CancellationToken cancellationToken)
    {
        try
        {
            await RunAsync(
                () => etag is { } match
                    ? table.UpdateEntityAsync(entity, match, TableUpdateMode.Replace, cancellationToken)
                    : table.AddEntityAsync(entity, cancellationToken),
                what);
            return true;
        }
        catch (Exception e) when (e is ConcurrencyException or EntityExistsException or RequestFailedException { Status: 404 })
        {
            return false;
        }
    }

    /// <summary>Deletes an entity whatever its version; <see cref="EntityNotFoundException"/> when there is none.</summary>
    public static async Task DeleteExistingAsync(
        TableClient table, string partitionKey, string rowKey, string what, string missing, CancellationToken cancellationToken)
    {
        var response = await RunAsync(() => table.DeleteEntityAsync(partitionKey, rowKey, ETag.All, cancellationToken), what);
        if (response.Status == 404)
        {
            throw new EntityNotFoundException(missing);
        }
    }
}
