using System.Text.Json;
using Microsoft.AspNetCore.Http;
using Microsoft.Azure.Functions.Worker;
using Provision.Core.Devices;
using Provision.Core.Updates;

namespace Provision.Functions.Functions;

/// <summary>Software-update check: the device reports its version and properties and learns of an update.</summary>
public sealed class CheckinFunction(IDeviceAuthenticator authenticator, ICheckinService checkins)
{
    private static readonly HashSet<string> ContractFields = ["id", "productId", "product", "test", "version"];

    [Function(nameof(Checkin))]
    public Task<IResult> Checkin(
        [HttpTrigger(AuthorizationLevel.Anonymous, "post", Route = "provision/checkin")] HttpRequest request,
        CancellationToken cancellationToken) => HandleAsync(request, cancellationToken);

    /// <summary>The EmbedThis updater's route for the same call.</summary>
    [Function(nameof(TokProvisionUpdate))]
    public Task<IResult> TokProvisionUpdate(
        [HttpTrigger(AuthorizationLevel.Anonymous, "post", Route = "tok/provision/update")] HttpRequest request,
        CancellationToken cancellationToken) => HandleAsync(request, cancellationToken);

    /// <summary>The device's report of an update it applied, or failed to.</summary>
    [Function(nameof(TokProvisionUpdateReport))]
    public async Task<IResult> TokProvisionUpdateReport(
        [HttpTrigger(AuthorizationLevel.Anonymous, "post", Route = "tok/provision/updateReport")] HttpRequest request,
        CancellationToken cancellationToken)
    {
        var call = await DeviceRequest.ReadAsync(request, bodyRequired: true, cancellationToken);
        var id = call.RequiredString("id");
        var releaseId = call.RequiredString("update");
        var success = call.RequiredBool("success");
        var device = await authenticator.AuthenticateAsync(call.Authorization, id, cancellationToken);
        await checkins.ReportAsync(device, releaseId, success, cancellationToken);
        return Results.Json(new { }, DeviceJson.Options);
    }

    private async Task<IResult> HandleAsync(HttpRequest request, CancellationToken cancellationToken)
    {
        var call = await DeviceRequest.ReadAsync(request, bodyRequired: true, cancellationToken);
        var id = call.RequiredString("id");
        var checkin = new CheckinRequest(
            call.OptionalString("productId") ?? call.OptionalString("product"),
            call.OptionalBool("test") ?? false,
            call.OptionalString("version"),
            call.Properties(except: ContractFields));
        var device = await authenticator.AuthenticateAsync(call.Authorization, id, cancellationToken);

        var offer = await checkins.CheckinAsync(device, checkin, cancellationToken);
        return offer is null
            ? Results.Json(new { }, DeviceJson.Options)
            : Results.Json(new { checksum = offer.Checksum, version = offer.Version, url = offer.Url, update = offer.ReleaseId }, DeviceJson.Options);
    }
}
