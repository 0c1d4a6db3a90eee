using Microsoft.AspNetCore.Http;
using Microsoft.Azure.Functions.Worker;
using Microsoft.Extensions.Options;
using Provision.Core.Aws;
using Provision.Core.Devices;
using Provision.Core.Provisioning;
using Provision.Functions.Middleware;

namespace Provision.Functions.Functions;

/// <summary>The device's AWS IoT certificate and MQTT endpoint, once an operator has claimed it.</summary>
public sealed class GetCertsFunction(IDeviceAuthenticator authenticator, ICertificateService certificates, IOptions<CloudOptions> cloud)
{
    /// <summary>
    /// Waits are short: the Ioto agent never polls sooner than the delay it was last given, so a small delay
    /// keeps a device that is claimed late within a minute of its certificates.
    /// </summary>
    private const int PendingRetryAfterSeconds = 5;
    private const int NotClaimedRetryAfterSeconds = 10;
    private const int FailedRetryAfterSeconds = 60;

    // The failure's detail (AWS's message, with account ids and ARNs) is for operators: the management API and logs.
    private const string FailedMessage = "Provisioning failed. The operator has been told and can retry it.";

    [Function(nameof(GetCerts))]
    public Task<IResult> GetCerts(
        [HttpTrigger(AuthorizationLevel.Anonymous, "post", Route = "provision/getCerts")] HttpRequest request,
        CancellationToken cancellationToken) => HandleAsync(request, cancellationToken);

    /// <summary>The Ioto agent's route for the same call.</summary>
    [Function(nameof(TokDeviceProvision))]
    public Task<IResult> TokDeviceProvision(
        [HttpTrigger(AuthorizationLevel.Anonymous, "post", Route = "tok/device/provision")] HttpRequest request,
        CancellationToken cancellationToken) => HandleAsync(request, cancellationToken);

    /// <summary>The EmbedThis documentation's name for the same call.</summary>
    [Function(nameof(DeviceProvision))]
    public Task<IResult> DeviceProvision(
        [HttpTrigger(AuthorizationLevel.Anonymous, "post", Route = "device/provision")] HttpRequest request,
        CancellationToken cancellationToken) => HandleAsync(request, cancellationToken);

    private async Task<IResult> HandleAsync(HttpRequest request, CancellationToken cancellationToken)
    {
        var call = await DeviceRequest.ReadAsync(request, bodyRequired: true, cancellationToken);
        var id = call.RequiredString("id");
        var csr = call.OptionalString("csr", CsrRules.MaxLength);
        var device = await authenticator.AuthenticateAsync(call.Authorization, id, cancellationToken);

        var outcome = await certificates.GetCertificatesAsync(device, csr, cancellationToken);
        var dialect = DeviceDialects.Of(request);
        return outcome.Status switch
        {
            CertificatesStatus.Ready => DeviceJson.Ok(new
            {
                accountId = outcome.Certificates!.AccountId,
                certificate = outcome.Certificates.Certificate,
                endpoint = outcome.Certificates.Endpoint,
                id = outcome.Certificates.Id,
                key = outcome.Certificates.Key,
                port = outcome.Certificates.Port,
                thing = outcome.Certificates.Thing,
                region = outcome.Certificates.Region,
                cloudType = "dedicated",
                cloudName = cloud.Value.Name,
                cloudRegion = outcome.Certificates.Region,
            }),
            CertificatesStatus.Pending when dialect == DeviceDialect.Agent =>
                ErrorResults.RetryLater(dialect, StatusCodes.Status202Accepted, "Device is being provisioned", PendingRetryAfterSeconds),
            CertificatesStatus.Pending => DeviceJson.Json(StatusCodes.Status202Accepted, new { status = "provisioning" }, PendingRetryAfterSeconds),
            CertificatesStatus.NotClaimed when dialect == DeviceDialect.Agent =>
                ErrorResults.RetryLater(dialect, StatusCodes.Status403Forbidden, outcome.Reason!, NotClaimedRetryAfterSeconds),
            CertificatesStatus.NotClaimed => ErrorResults.Error(StatusCodes.Status403Forbidden, outcome.Reason!),
            _ => ErrorResults.RetryLater(dialect, StatusCodes.Status503ServiceUnavailable, FailedMessage, FailedRetryAfterSeconds),
        };
    }
}
