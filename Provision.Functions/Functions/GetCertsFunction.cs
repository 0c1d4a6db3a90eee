using Microsoft.AspNetCore.Http;
using Microsoft.Azure.Functions.Worker;
using Provision.Core.Devices;
using Provision.Core.Provisioning;
using Provision.Functions.Middleware;

namespace Provision.Functions.Functions;

/// <summary>The device's AWS IoT certificate and MQTT endpoint, once an operator has claimed it.</summary>
public sealed class GetCertsFunction(IDeviceAuthenticator authenticator, ICertificateService certificates)
{
    private const int PendingRetryAfterSeconds = 5;
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

    private async Task<IResult> HandleAsync(HttpRequest request, CancellationToken cancellationToken)
    {
        var call = await DeviceRequest.ReadAsync(request, bodyRequired: true, cancellationToken);
        var id = call.RequiredString("id");
        var csr = call.OptionalString("csr");
        var device = await authenticator.AuthenticateAsync(call.Authorization, id, cancellationToken);

        var outcome = await certificates.GetCertificatesAsync(device, csr, cancellationToken);
        return outcome.Status switch
        {
            CertificatesStatus.Ready => Results.Json(new
            {
                accountId = outcome.Certificates!.AccountId,
                certificate = outcome.Certificates.Certificate,
                endpoint = outcome.Certificates.Endpoint,
                id = outcome.Certificates.Id,
                key = outcome.Certificates.Key,
                port = outcome.Certificates.Port,
                thing = outcome.Certificates.Thing,
                region = outcome.Certificates.Region,
            }, DeviceJson.Options),
            CertificatesStatus.Pending => ErrorResults.WithRetryAfter(new { status = "provisioning" }, StatusCodes.Status202Accepted, PendingRetryAfterSeconds),
            CertificatesStatus.NotClaimed => ErrorResults.Error(StatusCodes.Status403Forbidden, outcome.Reason!),
            _ => ErrorResults.RetryLater(StatusCodes.Status503ServiceUnavailable, FailedMessage, FailedRetryAfterSeconds),
        };
    }
}
