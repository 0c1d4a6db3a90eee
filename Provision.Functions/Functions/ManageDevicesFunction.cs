using System.Text;
using Microsoft.AspNetCore.Http;
using Microsoft.Azure.Functions.Worker;
using Provision.Core.Admin;
using Provision.Functions.Manage;
using Provision.Functions.Middleware;

namespace Provision.Functions.Functions;

/// <summary>Devices: create, import, list, get, claim, release, retry, rotate the token, delete, and their audit trail.</summary>
public sealed class ManageDevicesFunction(IDeviceAdmin devices, IAuditLog audit, ManageGate gate)
{
    public const int MaxImportBytes = 1024 * 1024;

    [Function(nameof(CreateDevice))]
    public Task<IResult> CreateDevice(
        [HttpTrigger(AuthorizationLevel.Anonymous, "post", Route = ManageRoutes.Prefix + "products/{productId}/devices")] HttpRequest request,
        string productId,
        CancellationToken cancellationToken) =>
        gate.RunAsync(request, AdminScopes.Devices, AuditSubjects.Product(productId), "create device", async _ =>
        {
            var call = await DeviceRequest.ReadAsync(request, bodyRequired: false, cancellationToken);
            var created = await devices.CreateAsync(productId, call.OptionalString("id"), cancellationToken);
            return ManageViews.Created(ManageViews.Of(created.Device, created.Token));
        }, cancellationToken);

    [Function(nameof(ImportDevices))]
    public Task<IResult> ImportDevices(
        [HttpTrigger(AuthorizationLevel.Anonymous, "post", Route = ManageRoutes.Prefix + "products/{productId}/devices/import")] HttpRequest request,
        string productId,
        CancellationToken cancellationToken) =>
        gate.RunAsync(request, AdminScopes.Devices, AuditSubjects.Product(productId), "import devices", async _ =>
        {
            var mediaType = request.ContentType?.Split(';')[0].Trim().ToLowerInvariant();
            DeviceImportFormat? format = mediaType switch
            {
                "text/csv" => DeviceImportFormat.Csv,
                "application/json" => DeviceImportFormat.Json,
                _ => null,
            };
            if (format is null)
            {
                return ProblemResults.Problem(StatusCodes.Status415UnsupportedMediaType, "Unsupported media type",
                    "Send the device list as text/csv (a header line with an \"id\" column) or application/json (an array of objects with an \"id\").");
            }
            var body = await DeviceRequest.ReadBodyAsync(request, MaxImportBytes, cancellationToken);
            var report = await devices.ImportAsync(productId, format.Value, Encoding.UTF8.GetString(body), cancellationToken);
            return ManageViews.Ok(ManageViews.Of(report));
        }, cancellationToken);

    [Function(nameof(ListDevices))]
    public Task<IResult> ListDevices(
        [HttpTrigger(AuthorizationLevel.Anonymous, "get", Route = ManageRoutes.Prefix + "products/{productId}/devices")] HttpRequest request,
        string productId,
        CancellationToken cancellationToken) =>
        gate.RunAsync(request, AdminScopes.Read, async _ =>
        {
            var page = await devices.ListAsync(
                productId, ManageViews.State(request), ManageViews.PageSize(request), ManageViews.ContinuationToken(request), cancellationToken);
            return ManageViews.Ok(ManageViews.Of(page, d => ManageViews.Of(d)));
        }, cancellationToken);

    [Function(nameof(GetDevice))]
    public Task<IResult> GetDevice(
        [HttpTrigger(AuthorizationLevel.Anonymous, "get", Route = ManageRoutes.Prefix + "devices/{deviceId}")] HttpRequest request,
        string deviceId,
        CancellationToken cancellationToken) =>
        gate.RunAsync(request, AdminScopes.Read, async _ => ManageViews.Ok(ManageViews.Of(await devices.GetAsync(deviceId, cancellationToken))), cancellationToken);

    [Function(nameof(ClaimDevice))]
    public Task<IResult> ClaimDevice(
        [HttpTrigger(AuthorizationLevel.Anonymous, "post", Route = ManageRoutes.Prefix + "devices/{deviceId}/claim")] HttpRequest request,
        string deviceId,
        CancellationToken cancellationToken) =>
        gate.RunAsync(request, AdminScopes.Devices, AuditSubjects.Device(deviceId), "claim", async _ =>
        {
            var call = await DeviceRequest.ReadAsync(request, bodyRequired: false, cancellationToken);
            var device = await devices.ClaimAsync(deviceId, call.RequiredString("accountId"), cancellationToken);
            return ManageViews.Ok(ManageViews.Of(device));
        }, cancellationToken);

    [Function(nameof(ReleaseDevice))]
    public Task<IResult> ReleaseDevice(
        [HttpTrigger(AuthorizationLevel.Anonymous, "post", Route = ManageRoutes.Prefix + "devices/{deviceId}/release")] HttpRequest request,
        string deviceId,
        CancellationToken cancellationToken) =>
        gate.RunAsync(request, AdminScopes.Devices, AuditSubjects.Device(deviceId), "release", async _ => ManageViews.Ok(ManageViews.Of(await devices.ReleaseAsync(deviceId, cancellationToken))), cancellationToken);

    [Function(nameof(RetryDevice))]
    public Task<IResult> RetryDevice(
        [HttpTrigger(AuthorizationLevel.Anonymous, "post", Route = ManageRoutes.Prefix + "devices/{deviceId}/retry")] HttpRequest request,
        string deviceId,
        CancellationToken cancellationToken) =>
        gate.RunAsync(request, AdminScopes.Devices, AuditSubjects.Device(deviceId), "retry", async _ => ManageViews.Ok(ManageViews.Of(await devices.RetryAsync(deviceId, cancellationToken))), cancellationToken);

    [Function(nameof(RotateDeviceToken))]
    public Task<IResult> RotateDeviceToken(
        [HttpTrigger(AuthorizationLevel.Anonymous, "post", Route = ManageRoutes.Prefix + "devices/{deviceId}/token")] HttpRequest request,
        string deviceId,
        CancellationToken cancellationToken) =>
        gate.RunAsync(request, AdminScopes.Devices, AuditSubjects.Device(deviceId), "rotate token", async _ =>
        {
            var rotated = await devices.RotateTokenAsync(deviceId, cancellationToken);
            return ManageViews.Ok(ManageViews.Of(rotated.Device, rotated.Token));
        }, cancellationToken);

    [Function(nameof(DeleteDevice))]
    public Task<IResult> DeleteDevice(
        [HttpTrigger(AuthorizationLevel.Anonymous, "delete", Route = ManageRoutes.Prefix + "devices/{deviceId}")] HttpRequest request,
        string deviceId,
        CancellationToken cancellationToken) =>
        gate.RunAsync(request, AdminScopes.Devices, AuditSubjects.Device(deviceId), "delete", async _ =>
        {
            await devices.DeleteAsync(deviceId, cancellationToken);
            return Results.NoContent();
        }, cancellationToken);

    /// <summary>Who claimed, released, retried, rotated or deleted the device, newest first.</summary>
    [Function(nameof(DeviceAudit))]
    public Task<IResult> DeviceAudit(
        [HttpTrigger(AuthorizationLevel.Anonymous, "get", Route = ManageRoutes.Prefix + "devices/{deviceId}/audit")] HttpRequest request,
        string deviceId,
        CancellationToken cancellationToken) =>
        gate.RunAsync(request, AdminScopes.Read, async _ => ManageViews.Ok(await audit.ListAsync(AuditSubjects.Device(deviceId), ManageViews.PageSize(request), cancellationToken)), cancellationToken);
}
