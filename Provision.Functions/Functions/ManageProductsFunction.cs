using Microsoft.AspNetCore.Http;
using Microsoft.Azure.Functions.Worker;
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

    /// <summary>Changes to the product, its devices list and its releases, newest first.</summary>
    [Function(nameof(ProductAudit))]
    public Task<IResult> ProductAudit(
        [HttpTrigger(AuthorizationLevel.Anonymous, "get", Route = ManageRoutes.Prefix + "products/{productId}/audit")] HttpRequest request,
        string productId,
        CancellationToken cancellationToken) =>
        gate.RunAsync(request, AdminScopes.Read, async _ => ManageViews.Ok(await audit.ListAsync(AuditSubjects.Product(productId), ManageViews.PageSize(request), cancellationToken)), cancellationToken);
}
