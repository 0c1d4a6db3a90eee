using Azure.Data.Tables;
using Provision.Core.Products;

namespace Provision.Core.Storage;

/// <summary>Fleet tokens keyed by token hash, so a presented token is found in one point read; listed per product by query.</summary>
public sealed class TableFleetTokenStore(ProvisionTables tables) : IFleetTokenStore
{
    private const string Row = "token";

    public async Task<FleetToken> CreateAsync(FleetToken token, CancellationToken cancellationToken = default)
    {
        TableKeys.Validate(token.TokenHash, "token hash");
        var table = await tables.GetAsync(ProvisionTables.FleetTokens, cancellationToken);
        var response = await StorageCalls.RunAsync(() => table.AddEntityAsync(ToEntity(token), cancellationToken), "create a fleet token");
        token.ETag = response.Headers.ETag?.ToString();
        return token;
    }

    public async Task<FleetToken?> FindByHashAsync(string tokenHash, CancellationToken cancellationToken = default)
    {
        TableKeys.Validate(tokenHash, "token hash");
        var table = await tables.GetAsync(ProvisionTables.FleetTokens, cancellationToken);
        var response = await StorageCalls.RunAsync(
            () => table.GetEntityIfExistsAsync<TableEntity>(tokenHash, Row, cancellationToken: cancellationToken), "look up a fleet token");
        return response.HasValue ? FromEntity(response.Value!) : null;
    }

    public async Task<IReadOnlyList<FleetToken>> ListAsync(string productId, CancellationToken cancellationToken = default)
    {
        var table = await tables.GetAsync(ProvisionTables.FleetTokens, cancellationToken);
        var filter = TableClient.CreateQueryFilter($"ProductId eq {productId}");
        return await StorageCalls.RunAsync(async () =>
        {
            var found = new List<FleetToken>();
            await foreach (var entity in table.QueryAsync<TableEntity>(filter, cancellationToken: cancellationToken))
            {
                found.Add(FromEntity(entity));
            }
            return (IReadOnlyList<FleetToken>)found.OrderBy(t => t.Created).ToList();
        }, "list fleet tokens");
    }

    public async Task<FleetToken> RevokeAsync(string productId, string tokenId, DateTimeOffset at, CancellationToken cancellationToken = default)
    {
        var token = (await ListAsync(productId, cancellationToken)).FirstOrDefault(t => t.Id == tokenId)
            ?? throw new EntityNotFoundException($"Product {productId} has no fleet token {tokenId}.");
        if (token.Revoked is null)
        {
            token.Revoked = at;
            var table = await tables.GetAsync(ProvisionTables.FleetTokens, cancellationToken);
            token.ETag = await StorageCalls.ReplaceAsync(
                table, ToEntity(token), token.ETag, $"revoke fleet token {tokenId}", $"Fleet token {tokenId} does not exist.", cancellationToken);
        }
        return token;
    }

    private static TableEntity ToEntity(FleetToken t) => new(t.TokenHash, Row)
    {
        [nameof(FleetToken.Id)] = t.Id,
        [nameof(FleetToken.ProductId)] = t.ProductId,
        [nameof(FleetToken.Name)] = t.Name,
        [nameof(FleetToken.Created)] = t.Created,
        [nameof(FleetToken.Revoked)] = t.Revoked,
    };

    private static FleetToken FromEntity(TableEntity e) => new()
    {
        Id = e.GetString(nameof(FleetToken.Id)),
        ProductId = e.GetString(nameof(FleetToken.ProductId)),
        Name = e.GetString(nameof(FleetToken.Name)),
        TokenHash = e.PartitionKey,
        Created = e.GetDateTimeOffset(nameof(FleetToken.Created)) ?? default,
        Revoked = e.GetDateTimeOffset(nameof(FleetToken.Revoked)),
        ETag = e.ETag.ToString(),
    };
}
