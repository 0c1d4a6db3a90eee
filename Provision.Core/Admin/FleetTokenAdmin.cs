using Microsoft.Extensions.Logging;
using Provision.Core.Products;
using Provision.Core.Security;

namespace Provision.Core.Admin;

/// <summary>A fleet token and its secret, which is shown once and never stored.</summary>
public sealed record FleetTokenWithSecret(FleetToken Token, string Secret)
{
    public override string ToString() => $"FleetTokenWithSecret {{ Id = {Token.Id}, ProductId = {Token.ProductId} }}";
}

public interface IFleetTokenAdmin
{
    Task<FleetTokenWithSecret> CreateAsync(string productId, string? name, CancellationToken cancellationToken = default);
    Task<IReadOnlyList<FleetToken>> ListAsync(string productId, CancellationToken cancellationToken = default);

    /// <summary>The token stops working at once.</summary>
    Task<FleetToken> RevokeAsync(string productId, string tokenId, CancellationToken cancellationToken = default);
}

/// <summary>Product-scoped update tokens for the EmbedThis updater: created (shown once), listed, revoked.</summary>
public sealed class FleetTokenAdmin(IProductStore products, IFleetTokenStore tokens, TimeProvider clock, ILogger<FleetTokenAdmin> log) : IFleetTokenAdmin
{
    public async Task<FleetTokenWithSecret> CreateAsync(string productId, string? name, CancellationToken cancellationToken = default)
    {
        if (string.IsNullOrWhiteSpace(name) || name.Length > 128 || name.Any(char.IsControl))
        {
            throw new ValidationException("Fleet token name must be 1-128 characters, without control characters.");
        }
        _ = await products.GetAsync(productId, cancellationToken) ?? throw ProductAdmin.NotFound(productId);
        var secret = FleetToken.Prefix + Tokens.New();
        var token = await tokens.CreateAsync(new FleetToken
        {
            Id = "F" + Tokens.Base32(11),
            ProductId = productId,
            Name = name.Trim(),
            TokenHash = Tokens.Hash(secret),
            Created = clock.GetUtcNow(),
        }, cancellationToken);
        log.LogInformation("Created fleet token {TokenId} for {ProductId}", token.Id, productId);
        return new FleetTokenWithSecret(token, secret);
    }

    public async Task<IReadOnlyList<FleetToken>> ListAsync(string productId, CancellationToken cancellationToken = default)
    {
        _ = await products.GetAsync(productId, cancellationToken) ?? throw ProductAdmin.NotFound(productId);
        return await tokens.ListAsync(productId, cancellationToken);
    }

    public async Task<FleetToken> RevokeAsync(string productId, string tokenId, CancellationToken cancellationToken = default)
    {
        var token = await tokens.RevokeAsync(productId, tokenId, clock.GetUtcNow(), cancellationToken);
        log.LogInformation("Revoked fleet token {TokenId} of {ProductId}", tokenId, productId);
        return token;
    }
}
