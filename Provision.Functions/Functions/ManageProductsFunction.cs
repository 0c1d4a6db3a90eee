using Microsoft.AspNetCore.Http;
using Microsoft.Azure.Functions.Worker;
using Provision.Core;
using Provision.Core.Admin;
using Provision.Functions.Manage;

namespace Provision.Functions.Functions;

/// <summary>Products: create (the product token is shown once), list, get, rotate the token.</summary>
public sealed class ManageProductsFunction(IProductAdmin products, IAuditLog audit, ManageGate gate)
{
    [Function(nameof(CreateProduct))]
    public Task<IResult> CreateProduct(
        [HttpTrigger(AuthorizationLevel.Anonymous, "post", Route = ManageRoutes.Prefix + "products")] HttpRequest request,
        CancellationToken cancellationToken) =>
        gate.RunCreatingAsync(request, AdminScopes.Admin, "create product", async _ =>
        {
            var call = await DeviceRequest.ReadAsync(request, bodyRequired: false, cancellationToken);
            var created = await products.CreateAsync(new NewProduct(
                call.RequiredString("id"), call.RequiredString("name"),
                call.OptionalString("policyName"), call.OptionalString("thingType"), call.OptionalString("thingGroup")), cancellationToken);
            return (ManageViews.Created(ManageViews.Of(created.Product, created.Token)), AuditSubjects.Product(created.Product.Id));
        }, cancellationToken);

    [Function(nameof(ListProducts))]
    public Task<IResult> ListProducts(
        [HttpTrigger(AuthorizationLevel.Anonymous, "get", Route = ManageRoutes.Prefix + "products")] HttpRequest request,
        CancellationToken cancellationToken) =>
        gate.RunAsync(request, AdminScopes.Read, async _ =>
        {
            var page = await products.ListAsync(ManageViews.PageSize(request), ManageViews.ContinuationToken(request), cancellationToken);
            return ManageViews.Ok(ManageViews.Of(page, p => ManageViews.Of(p)));
        }, cancellationToken);

    [Function(nameof(GetProduct))]
    public Task<IResult> GetProduct(
        [HttpTrigger(AuthorizationLevel.Anonymous, "get", Route = ManageRoutes.Prefix + "products/{productId}")] HttpRequest request,
        string productId,
        CancellationToken cancellationToken) =>
        gate.RunAsync(request, AdminScopes.Read, async _ => ManageViews.Ok(ManageViews.Of(await products.GetAsync(productId, cancellationToken))), cancellationToken);

    [Function(nameof(RotateProductToken))]
    public Task<IResult> RotateProductToken(
        [HttpTrigger(AuthorizationLevel.Anonymous, "post", Route = ManageRoutes.Prefix + "products/{productId}/token")] HttpRequest request,
        string productId,
        CancellationToken cancellationToken) =>
        gate.RunAsync(request, AdminScopes.Admin, AuditSubjects.Product(productId), "rotate token", async _ =>
        {
            var rotated = await products.RotateTokenAsync(productId, cancellationToken);
            return ManageViews.Ok(ManageViews.Of(rotated.Product, rotated.Token));
        }, cancellationToken);

    /// <summary>Registration settings: <c>name</c>, <c>reregistration</c> ("ioto" or "token"), <c>autoClaimAccounts</c>.</summary>
    [Function(nameof(UpdateProduct))]
    public Task<IResult> UpdateProduct(
        [HttpTrigger(AuthorizationLevel.Anonymous, "patch", Route = ManageRoutes.Prefix + "products/{productId}")] HttpRequest request,
        string productId,
        CancellationToken cancellationToken) =>
        gate.RunAsync(request, AdminScopes.Admin, AuditSubjects.Product(productId), "update product", async _ =>
        {
            var call = await DeviceRequest.ReadAsync(request, bodyRequired: true, cancellationToken);
            foreach (var field in call.Body.EnumerateObject())
            {
                if (!Editable.Contains(field.Name))
                {
                    throw new ValidationException($"\"{field.Name}\" cannot be changed; a product's {string.Join(", ", Editable)} can.");
                }
            }
            var changes = new ProductChanges(call.OptionalString("name"), call.OptionalString("reregistration"), AutoClaimAccounts(call));
            return ManageViews.Ok(ManageViews.Of(await products.UpdateAsync(productId, changes, cancellationToken)));
        }, cancellationToken);

    private static readonly string[] Editable = ["name", "reregistration", "autoClaimAccounts"];

    private static IReadOnlyList<string>? AutoClaimAccounts(DeviceRequest call)
    {
        if (!call.Body.TryGetProperty("autoClaimAccounts", out var accounts) || accounts.ValueKind == System.Text.Json.JsonValueKind.Null)
        {
            return null;
        }
        if (accounts.ValueKind != System.Text.Json.JsonValueKind.Array || accounts.EnumerateArray().Any(a => a.ValueKind != System.Text.Json.JsonValueKind.String))
        {
            throw new ValidationException("\"autoClaimAccounts\" must be an array of account ids.");
        }
        return [.. accounts.EnumerateArray().Select(a => a.GetString()!)];
    }

    /// <summary>Changes to the product, its devices list and its releases, newest first.</summary>
    [Function(nameof(ProductAudit))]
    public Task<IResult> ProductAudit(
        [HttpTrigger(AuthorizationLevel.Anonymous, "get", Route = ManageRoutes.Prefix + "products/{productId}/audit")] HttpRequest request,
        string productId,
        CancellationToken cancellationToken) =>
        gate.RunAsync(request, AdminScopes.Read, async _ => ManageViews.Ok(await audit.ListAsync(AuditSubjects.Product(productId), ManageViews.PageSize(request), cancellationToken)), cancellationToken);
}
