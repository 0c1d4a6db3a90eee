using Microsoft.AspNetCore.Http;
using Microsoft.Azure.Functions.Worker;
using Provision.Core;
using Provision.Core.Admin;
using Provision.Functions.Manage;

namespace Provision.Functions.Functions;

/// <summary>Releases: create, list, get (with offered/succeeded/failed counters), edit policy, rollout and limits, enable, disable, delete.</summary>
public sealed class ManageReleasesFunction(IReleaseAdmin releases, ManageGate gate)
{
    private static readonly string[] Editable = ["policy", "rollout", "testOnly", "enabled", "maxDevices", "maxUpdates", "period"];

    [Function(nameof(CreateRelease))]
    public Task<IResult> CreateRelease(
        [HttpTrigger(AuthorizationLevel.Anonymous, "post", Route = ManageRoutes.Prefix + "products/{productId}/releases")] HttpRequest request,
        string productId,
        CancellationToken cancellationToken) =>
        gate.RunAsync(request, AdminScopes.Releases, AuditSubjects.Product(productId), "create release", async _ =>
        {
            var call = await DeviceRequest.ReadAsync(request, bodyRequired: false, cancellationToken);
            var created = await releases.CreateAsync(productId, new NewRelease(
                call.RequiredString("version"),
                call.RequiredString("url"),
                call.RequiredString("checksum"),
                call.OptionalBool("testOnly") ?? false,
                call.OptionalString("policy"),
                call.OptionalInt("rollout") ?? 100,
                call.OptionalBool("enabled") ?? true,
                call.OptionalInt("maxDevices"),
                call.OptionalInt("maxUpdates"),
                call.OptionalInt("period")), cancellationToken);
            return ManageViews.Created(ManageViews.Of(created));
        }, cancellationToken);

    [Function(nameof(ListReleases))]
    public Task<IResult> ListReleases(
        [HttpTrigger(AuthorizationLevel.Anonymous, "get", Route = ManageRoutes.Prefix + "products/{productId}/releases")] HttpRequest request,
        string productId,
        CancellationToken cancellationToken) =>
        gate.RunAsync(request, AdminScopes.Read, async _ =>
            ManageViews.Ok(new { items = (await releases.ListAsync(productId, cancellationToken)).Select(ManageViews.Of) }), cancellationToken);

    [Function(nameof(GetRelease))]
    public Task<IResult> GetRelease(
        [HttpTrigger(AuthorizationLevel.Anonymous, "get", Route = ManageRoutes.Prefix + "products/{productId}/releases/{releaseId}")] HttpRequest request,
        string productId,
        string releaseId,
        CancellationToken cancellationToken) =>
        gate.RunAsync(request, AdminScopes.Read, async _ => ManageViews.Ok(ManageViews.Of(await releases.GetAsync(productId, releaseId, cancellationToken))), cancellationToken);

    [Function(nameof(UpdateRelease))]
    public Task<IResult> UpdateRelease(
        [HttpTrigger(AuthorizationLevel.Anonymous, "patch", Route = ManageRoutes.Prefix + "products/{productId}/releases/{releaseId}")] HttpRequest request,
        string productId,
        string releaseId,
        CancellationToken cancellationToken) =>
        gate.RunAsync(request, AdminScopes.Releases, AuditSubjects.Product(productId), $"update release {releaseId}", async _ =>
        {
            var call = await DeviceRequest.ReadAsync(request, bodyRequired: false, cancellationToken);
            foreach (var field in call.Body.EnumerateObject())
            {
                if (!Editable.Contains(field.Name))
                {
                    throw new ValidationException($"\"{field.Name}\" cannot be changed; a release's {string.Join(", ", Editable)} can. Publish a new release for a new image.");
                }
            }
            var changes = new ReleaseChanges(
                call.OptionalInt("rollout"), call.OptionalBool("testOnly"), call.OptionalBool("enabled"),
                call.Body.TryGetProperty("policy", out var policy), policy.ValueKind == System.Text.Json.JsonValueKind.Null ? null : call.OptionalString("policy"),
                GivenInt(call, "maxDevices"), GivenInt(call, "maxUpdates"), GivenInt(call, "period"));
            return ManageViews.Ok(ManageViews.Of(await releases.UpdateAsync(productId, releaseId, changes, cancellationToken)));
        }, cancellationToken);

    [Function(nameof(EnableRelease))]
    public Task<IResult> EnableRelease(
        [HttpTrigger(AuthorizationLevel.Anonymous, "post", Route = ManageRoutes.Prefix + "products/{productId}/releases/{releaseId}/enable")] HttpRequest request,
        string productId,
        string releaseId,
        CancellationToken cancellationToken) =>
        gate.RunAsync(request, AdminScopes.Releases, AuditSubjects.Product(productId), $"enable release {releaseId}", async _ => ManageViews.Ok(ManageViews.Of(await releases.SetEnabledAsync(productId, releaseId, true, cancellationToken))), cancellationToken);

    [Function(nameof(DisableRelease))]
    public Task<IResult> DisableRelease(
        [HttpTrigger(AuthorizationLevel.Anonymous, "post", Route = ManageRoutes.Prefix + "products/{productId}/releases/{releaseId}/disable")] HttpRequest request,
        string productId,
        string releaseId,
        CancellationToken cancellationToken) =>
        gate.RunAsync(request, AdminScopes.Releases, AuditSubjects.Product(productId), $"disable release {releaseId}", async _ => ManageViews.Ok(ManageViews.Of(await releases.SetEnabledAsync(productId, releaseId, false, cancellationToken))), cancellationToken);

    [Function(nameof(DeleteRelease))]
    public Task<IResult> DeleteRelease(
        [HttpTrigger(AuthorizationLevel.Anonymous, "delete", Route = ManageRoutes.Prefix + "products/{productId}/releases/{releaseId}")] HttpRequest request,
        string productId,
        string releaseId,
        CancellationToken cancellationToken) =>
        gate.RunAsync(request, AdminScopes.Releases, AuditSubjects.Product(productId), $"delete release {releaseId}", async _ =>
        {
            await releases.DeleteAsync(productId, releaseId, cancellationToken);
            return Results.NoContent();
        }, cancellationToken);

    private static Given<int?>? GivenInt(DeviceRequest call, string name) =>
        call.Body.TryGetProperty(name, out _) ? new Given<int?>(call.OptionalInt(name)) : null;
}
