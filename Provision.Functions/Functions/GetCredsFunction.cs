using Microsoft.AspNetCore.Http;
using Microsoft.Azure.Functions.Worker;
using Provision.Core.Credentials;
using Provision.Core.Devices;

namespace Provision.Functions.Functions;

/// <summary>Temporary AWS credentials for a claimed device.</summary>
public sealed class GetCredsFunction(IDeviceAuthenticator authenticator, ICredentialsService credentials)
{
    [Function(nameof(GetCreds))]
    public Task<IResult> GetCreds(
        [HttpTrigger(AuthorizationLevel.Anonymous, "post", Route = "provision/getCreds")] HttpRequest request,
        CancellationToken cancellationToken) => HandleAsync(request, cancellationToken);

    [Function(nameof(TokDeviceGetCreds))]
    public Task<IResult> TokDeviceGetCreds(
        [HttpTrigger(AuthorizationLevel.Anonymous, "post", Route = "tok/device/getCreds")] HttpRequest request,
        CancellationToken cancellationToken) => HandleAsync(request, cancellationToken);

    private async Task<IResult> HandleAsync(HttpRequest request, CancellationToken cancellationToken)
    {
        var call = await DeviceRequest.ReadAsync(request, bodyRequired: false, cancellationToken);
        var device = await authenticator.AuthenticateAsync(call.Authorization, call.OptionalString("id"), cancellationToken);
        var issued = await credentials.GetCredentialsAsync(device, cancellationToken);
        return Results.Json(new
        {
            accessKeyId = issued.AccessKeyId,
            secretAccessKey = issued.SecretAccessKey,
            sessionToken = issued.SessionToken,
            expires = issued.Expiration.UtcDateTime.ToString("yyyy-MM-ddTHH:mm:ssZ", System.Globalization.CultureInfo.InvariantCulture),
            region = issued.Region,
        }, DeviceJson.Options);
    }
}
