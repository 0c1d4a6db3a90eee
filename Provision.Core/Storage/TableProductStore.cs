using Azure;
using Azure.Data.Tables;
using Provision.Core.Products;

namespace Provision.Core.Storage;

/// <summary>Products, one entity each in a single partition: few, small and read by id.</summary>
public sealed class TableProductStore(ProvisionTables tables) : IProductStore
{
    private const string Partition = "product";

    public async Task<Product> CreateAsync(Product product, CancellationToken cancellationToken = default)
    {
        TableKeys.Validate(product.Id, "product id");
        var table = await tables.GetAsync(ProvisionTables.Products, cancellationToken);
        var response = await StorageCalls.RunAsync(
            () => table.AddEntityAsync(ToEntity(product), cancellationToken), $"create product {product.Id}");
        product.ETag = response.Headers.ETag?.ToString();
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
        product.ETag = await StorageCalls.ReplaceAsync(
            table, ToEntity(product), product.ETag, $"update product {product.Id}", $"Product {product.Id} does not exist.", cancellationToken);
        return product;
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
        Created = e.GetDateTimeOffset(nameof(Product.Created)) ?? default,
        ETag = e.ETag.ToString(),
    };
}
