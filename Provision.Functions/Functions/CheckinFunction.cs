using System.Text.Json;
using Microsoft.AspNetCore.Http;
using Microsoft.Azure.Functions.Worker;
using Provision.Core.Devices;
using Provision.Core.Updates;

namespace Provision.Functions.Functions;

/// <summary>
/// Software-update check: the device reports its version and properties and learns of an update.
/// <c>product</c> may be the product id or, as the Ioto agent sends its device.json5, the product token.
/// </summary>
public sealed class CheckinFunction(IDeviceAuthenticator authenticator, ICheckinService checkins)
{
    private static readonly HashSet<string> ContractFields = ["id", "productId", "product", "test", "version"];
    private const int MaxVersionLength = 128;

    [Function(nameof(Checkin))]
    public Task<IResult> Checkin(
        [HttpTrigger(AuthorizationLevel.Anonymous, "post", Route = "provision/checkin")] HttpRequest request,
        CancellationToken cancellationToken) => HandleAsync(request, cancellationToken);

    /// <summary>The EmbedThis updater's route for the same call.</summary>
    [Function(nameof(TokProvisionUpdate))]
    public Task<IResult> TokProvisionUpdate(
        [HttpTrigger(AuthorizationLevel.Anonymous, "post", Route = "tok/provision/update")] HttpRequest request,
        CancellationToken cancellationToken) => HandleAsync(request, cancellationToken);

    /// <summary>The EmbedThis documentation's name for the same call.</summary>
    [Function(nameof(ProvisionUpdate))]
    public Task<IResult> ProvisionUpdate(
        [HttpTrigger(AuthorizationLevel.Anonymous, "post", Route = "provision/update")] HttpRequest request,
        CancellationToken cancellationToken) => HandleAsync(request, cancellationToken);

    /// <summary>The device's report of an update it applied, or failed to.</summary>
    [Function(nameof(TokProvisionUpdateReport))]
    public Task<IResult> TokProvisionUpdateReport(
        [HttpTrigger(AuthorizationLevel.Anonymous, "post", Route = "tok/provision/updateReport")] HttpRequest request,
        CancellationToken cancellationToken) => ReportAsync(request, cancellationToken);

    /// <summary>The EmbedThis documentation's name for the same call.</summary>
    [Function(nameof(ProvisionUpdateReport))]
    public Task<IResult> ProvisionUpdateReport(
        [HttpTrigger(AuthorizationLevel.Anonymous, "post", Route = "provision/updateReport")] HttpRequest request,
        CancellationToken cancellationToken) => ReportAsync(request, cancellationToken);

    private async Task<IResult> ReportAsync(HttpRequest request, CancellationToken cancellationToken)
    {
        var call = await DeviceRequest.ReadAsync(request, bodyRequired: true, cancellationToken);
        var id = call.RequiredString("id");
        var releaseId = call.RequiredString("update");
        var success = call.RequiredBool("success");
        var device = await authenticator.AuthenticateForUpdateAsync(call.Authorization, id, cancellationToken);
        await checkins.ReportAsync(device, releaseId, success, cancellationToken);
        return DeviceJson.Ok(new { });
    }

    private async Task<IResult> HandleAsync(HttpRequest request, CancellationToken cancellationToken)
    {
        var call = await DeviceRequest.ReadAsync(request, bodyRequired: true, cancellationToken);
        var id = call.RequiredString("id");
        var checkin = new CheckinRequest(
            call.OptionalString("productId") ?? call.OptionalString("product"),
            call.OptionalBool("test") ?? false,
            call.OptionalString("version", MaxVersionLength),
            call.Properties(except: ContractFields));
        var device = await authenticator.AuthenticateForUpdateAsync(call.Authorization, id, cancellationToken);

        var offer = await checkins.CheckinAsync(device, checkin, cancellationToken);
        return offer is null
            ? DeviceJson.Ok(new { })
            : DeviceJson.Ok(new { checksum = offer.Checksum, version = offer.Version, url = offer.Url, update = offer.ReleaseId });
    }
}
