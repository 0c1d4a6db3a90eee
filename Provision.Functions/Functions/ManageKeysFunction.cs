using Microsoft.AspNetCore.Http;
using Microsoft.Azure.Functions.Worker;
using Provision.Core.Admin;
using Provision.Functions.Manage;

namespace Provision.Functions.Functions;

/// <summary>Admin API keys: create (the key is shown once), list, revoke.</summary>
public sealed class ManageKeysFunction(IAdminKeyService keys, ManageGate gate)
{
    [Function(nameof(CreateAdminKey))]
    public Task<IResult> CreateAdminKey(
        [HttpTrigger(AuthorizationLevel.Anonymous, "post", Route = ManageRoutes.Prefix + "keys")] HttpRequest request,
        CancellationToken cancellationToken) =>
        gate.RunCreatingAsync(request, AdminScopes.Admin, "create", async _ =>
        {
            var call = await DeviceRequest.ReadAsync(request, bodyRequired: false, cancellationToken);
            var issued = await keys.CreateAsync(call.RequiredString("name"), call.OptionalStrings("scopes"), cancellationToken);
            return (ManageViews.Created(ManageViews.Of(issued.Key, issued.Secret)), AuditSubjects.AdminKey(issued.Key.Id));
        }, cancellationToken);

    [Function(nameof(ListAdminKeys))]
    public Task<IResult> ListAdminKeys(
        [HttpTrigger(AuthorizationLevel.Anonymous, "get", Route = ManageRoutes.Prefix + "keys")] HttpRequest request,
        CancellationToken cancellationToken) =>
        gate.RunAsync(request, AdminScopes.Admin, async _ =>
            ManageViews.Ok(new { items = (await keys.ListAsync(cancellationToken)).Select(k => ManageViews.Of(k)) }), cancellationToken);

    [Function(nameof(RevokeAdminKey))]
    public Task<IResult> RevokeAdminKey(
        [HttpTrigger(AuthorizationLevel.Anonymous, "delete", Route = ManageRoutes.Prefix + "keys/{keyId}")] HttpRequest request,
        string keyId,
        CancellationToken cancellationToken) =>
        gate.RunAsync(request, AdminScopes.Admin, AuditSubjects.AdminKey(keyId), "revoke", async _ =>
        {
            await keys.RevokeAsync(keyId, cancellationToken);
            return Results.NoContent();
        }, cancellationToken);
}
