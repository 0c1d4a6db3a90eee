using Azure;
using Azure.Data.Tables;
using Provision.Core.Products;

namespace Provision.Core.Storage;

/// <summary>
/// Products, one entity each in a single partition: few, small and read by id. The ProductTokens table
/// indexes them by token hash, so a registering device's product token finds its product in one read.
/// </summary>
public sealed class TableProductStore(ProvisionTables tables) : IProductStore
{
    private const string Partition = "product";
    private const string TokenRow = "token";

    public async Task<Product> CreateAsync(Product product, CancellationToken cancellationToken = default)
    {
        TableKeys.Validate(product.Id, "product id");
        var table = await tables.GetAsync(ProvisionTables.Products, cancellationToken);
        var response = await StorageCalls.RunAsync(
            () => table.AddEntityAsync(ToEntity(product), cancellationToken), $"create product {product.Id}");
        product.ETag = response.Headers.ETag?.ToString();
        await IndexTokenAsync(product.TokenHash, product.Id, cancellationToken);
        product.StoredTokenHash = product.TokenHash;
        return product;
    }

    public async Task<Product?> GetAsync(string productId, CancellationToken cancellationToken = default)
    {
        TableKeys.Validate(productId, "product id");
        var table = await tables.GetAsync(ProvisionTables.Products, cancellationToken);
        var response = await StorageCalls.RunAsync(
            () => table.GetEntityIfExistsAsync<TableEntity>(Partition, productId, cancellationToken: cancellationToken),
            $"read product {productId}");
        return response.HasValue ? FromEntity(response.Value!) : null;
    }

    public async Task<Product> UpdateAsync(Product product, CancellationToken cancellationToken = default)
    {
        TableKeys.Validate(product.Id, "product id");
        var table = await tables.GetAsync(ProvisionTables.Products, cancellationToken);
        var tokenChanged = product.TokenHash != product.StoredTokenHash;
        if (tokenChanged)
        {
            await IndexTokenAsync(product.TokenHash, product.Id, cancellationToken);
        }
        product.ETag = await StorageCalls.ReplaceAsync(
            table, ToEntity(product), product.ETag, $"update product {product.Id}", $"Product {product.Id} does not exist.", cancellationToken);
        if (tokenChanged && product.StoredTokenHash is { } old)
        {
            // The old token stops working at once: its index entry goes, and a stale one would not match the product anyway.
            var index = await tables.GetAsync(ProvisionTables.ProductTokens, cancellationToken);
            await StorageCalls.RunAsync(() => index.DeleteEntityAsync(old, TokenRow, ETag.All, cancellationToken), "remove a product token");
        }
        product.StoredTokenHash = product.TokenHash;
        return product;
    }

    public async Task<string?> FindIdByTokenHashAsync(string tokenHash, CancellationToken cancellationToken = default)
    {
        TableKeys.Validate(tokenHash, "token hash");
        var index = await tables.GetAsync(ProvisionTables.ProductTokens, cancellationToken);
        var response = await StorageCalls.RunAsync(
            () => index.GetEntityIfExistsAsync<TableEntity>(tokenHash, TokenRow, cancellationToken: cancellationToken),
            "look up a product token");
        return response.HasValue ? response.Value!.GetString("ProductId") : null;
    }

    private async Task IndexTokenAsync(string tokenHash, string productId, CancellationToken cancellationToken)
    {
        TableKeys.Validate(tokenHash, "token hash");
        var index = await tables.GetAsync(ProvisionTables.ProductTokens, cancellationToken);
        var entity = new TableEntity(tokenHash, TokenRow) { ["ProductId"] = productId };
        await StorageCalls.RunAsync(() => index.UpsertEntityAsync(entity, TableUpdateMode.Replace, cancellationToken), "index a product token");
    }

    public async Task<ResultPage<Product>> ListAsync(int pageSize, string? continuationToken, CancellationToken cancellationToken = default)
    {
        if (pageSize is < 1 or > 1000)
        {
            throw new ValidationException("Page size must be between 1 and 1000.");
        }
        var table = await tables.GetAsync(ProvisionTables.Products, cancellationToken);
        var filter = TableClient.CreateQueryFilter($"PartitionKey eq {Partition}");
        return await StorageCalls.RunAsync(async () =>
        {
            await foreach (var page in table.QueryAsync<TableEntity>(filter, pageSize, cancellationToken: cancellationToken).AsPages(continuationToken, pageSize))
            {
                return new ResultPage<Product>(page.Values.Select(FromEntity).ToList(), page.ContinuationToken);
            }
            return new ResultPage<Product>([], null);
        }, "list products");
    }

    private static TableEntity ToEntity(Product p) => new(Partition, p.Id)
    {
        [nameof(Product.Name)] = p.Name,
        [nameof(Product.TokenHash)] = p.TokenHash,
        [nameof(Product.PolicyName)] = p.PolicyName,
        [nameof(Product.ThingType)] = p.ThingType,
        [nameof(Product.ThingGroup)] = p.ThingGroup,
        [nameof(Product.Reregistration)] = p.Reregistration.ToString(),
        [nameof(Product.AutoClaimAccounts)] = string.Join(',', p.AutoClaimAccounts),
        [nameof(Product.Created)] = p.Created,
    };

    private static Product FromEntity(TableEntity e) => new()
    {
        Id = e.RowKey,
        Name = e.GetString(nameof(Product.Name)),
        TokenHash = e.GetString(nameof(Product.TokenHash)),
        PolicyName = e.GetString(nameof(Product.PolicyName)),
        ThingType = e.GetString(nameof(Product.ThingType)),
        ThingGroup = e.GetString(nameof(Product.ThingGroup)),
        // A product stored before the setting existed keeps the strict rule it was created under.
        Reregistration = Enum.TryParse<ReregistrationMode>(e.GetString(nameof(Product.Reregistration)), out var mode) ? mode : ReregistrationMode.Token,
        AutoClaimAccounts = (e.GetString(nameof(Product.AutoClaimAccounts)) ?? "").Split(',', StringSplitOptions.RemoveEmptyEntries),
        Created = e.GetDateTimeOffset(nameof(Product.Created)) ?? default,
        ETag = e.ETag.ToString(),
        StoredTokenHash = e.GetString(nameof(Product.TokenHash)),
    };
}
