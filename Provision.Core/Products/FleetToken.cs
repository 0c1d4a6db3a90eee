namespace Provision.Core.Products;

/// <summary>
/// A product-scoped update token (Builder's API token, as the EmbedThis updater uses it): it allows only the update
/// check and the update report, for any device of its product named in the body. Stored only as a hash.
/// </summary>
public sealed class FleetToken
{
    /// <summary>Every fleet token starts with this, so a device token is never looked up as one (an unknown token costs one read).</summary>
    public const string Prefix = "fleet.";

    public required string Id { get; init; }
    public required string ProductId { get; init; }
    public required string Name { get; init; }
    public required string TokenHash { get; init; }
    public DateTimeOffset Created { get; init; }
    public DateTimeOffset? Revoked { get; set; }
    public string? ETag { get; set; }
}

public interface IFleetTokenStore
{
    Task<FleetToken> CreateAsync(FleetToken token, CancellationToken cancellationToken = default);

    /// <summary>The token with this hash, or null (one point read).</summary>
    Task<FleetToken?> FindByHashAsync(string tokenHash, CancellationToken cancellationToken = default);

    Task<IReadOnlyList<FleetToken>> ListAsync(string productId, CancellationToken cancellationToken = default);

    /// <summary>Marks the token revoked; <see cref="EntityNotFoundException"/> when the product has no such token.</summary>
    Task<FleetToken> RevokeAsync(string productId, string tokenId, DateTimeOffset at, CancellationToken cancellationToken = default);
}
