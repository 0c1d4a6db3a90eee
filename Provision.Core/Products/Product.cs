
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

    /// <summary>What a repeat registration of a registered device needs (see <see cref="ReregistrationMode"/>).</summary>
    public ReregistrationMode Reregistration { get; set; } = ReregistrationMode.Ioto;

    /// <summary>Manager accounts whose devices are claimed at registration when they name the account; empty by default.</summary>
    public IReadOnlyList<string> AutoClaimAccounts { get; set; } = [];

    public DateTimeOffset Created { get; init; }
    public string? ETag { get; set; }

    /// <summary>The token hash as read from storage, so the store can move the token index when it changes.</summary>
    internal string? StoredTokenHash { get; set; }
}

/// <summary>How a device that is already registered registers again.</summary>
public enum ReregistrationMode
{
    /// <summary>The Ioto agent's way: the product token and the device id; a new device token, the old one revoked.</summary>
    Ioto,

    /// <summary>Strict: the device's current token is required as well (<c>token</c> in the body).</summary>
    Token,
}

public interface IProductStore
{
    Task<Product> CreateAsync(Product product, CancellationToken cancellationToken = default);
    Task<Product?> GetAsync(string productId, CancellationToken cancellationToken = default);

    /// <summary>The id of the product whose token has this hash, or null (one point read).</summary>
    Task<string?> FindIdByTokenHashAsync(string tokenHash, CancellationToken cancellationToken = default);
    Task<Product> UpdateAsync(Product product, CancellationToken cancellationToken = default);
    Task<ResultPage<Product>> ListAsync(int pageSize, string? continuationToken, CancellationToken cancellationToken = default);
}
