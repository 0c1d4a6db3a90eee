using Microsoft.AspNetCore.Http;
using Microsoft.Azure.Functions.Worker;
using Provision.Core.Admin;
using Provision.Functions.Manage;

namespace Provision.Functions.Functions;

/// <summary>A product's fleet update tokens for the EmbedThis updater: create (shown once), list, revoke.</summary>
public sealed class ManageFleetTokensFunction(IFleetTokenAdmin fleetTokens, ManageGate gate)
{
    private const string Route = ManageRoutes.Prefix + "products/{productId}/fleet-tokens";

    [Function(nameof(CreateFleetToken))]
    public Task<IResult> CreateFleetToken(
        [HttpTrigger(AuthorizationLevel.Anonymous, "post", Route = Route)] HttpRequest request,
        string productId,
        CancellationToken cancellationToken) =>
        gate.RunAsync(request, AdminScopes.Admin, AuditSubjects.Product(productId), "create fleet token", async _ =>
        {
            var call = await DeviceRequest.ReadAsync(request, bodyRequired: false, cancellationToken);
            var created = await fleetTokens.CreateAsync(productId, call.OptionalString("name") ?? "updater", cancellationToken);
            return ManageViews.Created(ManageViews.Of(created.Token, created.Secret));
        }, cancellationToken);

    [Function(nameof(ListFleetTokens))]
    public Task<IResult> ListFleetTokens(
        [HttpTrigger(AuthorizationLevel.Anonymous, "get", Route = Route)] HttpRequest request,
        string productId,
        CancellationToken cancellationToken) =>
        gate.RunAsync(request, AdminScopes.Read, async _ =>
            ManageViews.Ok((await fleetTokens.ListAsync(productId, cancellationToken)).Select(t => ManageViews.Of(t)).ToList()), cancellationToken);

    [Function(nameof(RevokeFleetToken))]
    public Task<IResult> RevokeFleetToken(
        [HttpTrigger(AuthorizationLevel.Anonymous, "delete", Route = Route + "/{tokenId}")] HttpRequest request,
        string productId,
        string tokenId,
        CancellationToken cancellationToken) =>
        gate.RunAsync(request, AdminScopes.Admin, AuditSubjects.Product(productId), $"revoke fleet token {tokenId}", async _ =>
            ManageViews.Ok(ManageViews.Of(await fleetTokens.RevokeAsync(productId, tokenId, cancellationToken))), cancellationToken);
}
