
namespace Provision.Core.Products;

public sealed class Product
{
    public required string Id { get; init; }
    public required string Name { get; set; }

    /// <summary>SHA-256 of the product token (hex), presented by devices when they register.</summary>
    public required string TokenHash { get; set; }

    /// <summary>AWS IoT settings for this product's devices; null uses the service defaults.</summary>
    public string? PolicyName { get; set; }
    public string? ThingType { get; set; }
    public string? ThingGroup { get; set; }

    public DateTimeOffset Created { get; init; }
    public string? ETag { get; set; }
}

public interface IProductStore
{
    Task<Product> CreateAsync(Product product, CancellationToken cancellationToken = default);
    Task<Product?> GetAsync(string productId, CancellationToken cancellationToken = default);
    Task<Product> UpdateAsync(Product product, CancellationToken cancellationToken = default);
    Task<ResultPage<Product>> ListAsync(int pageSize, string? continuationToken, CancellationToken cancellationToken = default);
}
