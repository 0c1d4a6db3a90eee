using System.Globalization;
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

    /// <summary>The Ioto agent's route for the same call.</summary>
    [Function(nameof(TokDeviceGetCreds))]
    public Task<IResult> TokDeviceGetCreds(
        [HttpTrigger(AuthorizationLevel.Anonymous, "post", Route = "tok/device/getCreds")] HttpRequest request,
        CancellationToken cancellationToken) => HandleAsync(request, cancellationToken);

    /// <summary>The EmbedThis documentation's name for the same call.</summary>
    [Function(nameof(DeviceGetCreds))]
    public Task<IResult> DeviceGetCreds(
        [HttpTrigger(AuthorizationLevel.Anonymous, "post", Route = "device/getCreds")] HttpRequest request,
        CancellationToken cancellationToken) => HandleAsync(request, cancellationToken);

    private async Task<IResult> HandleAsync(HttpRequest request, CancellationToken cancellationToken)
    {
        var call = await DeviceRequest.ReadAsync(request, bodyRequired: false, cancellationToken);
        var device = await authenticator.AuthenticateAsync(call.Authorization, call.OptionalString("id"), cancellationToken);
        var issued = await credentials.GetCredentialsAsync(device, cancellationToken);
        return DeviceJson.Ok(new
        {
            accessKeyId = issued.AccessKeyId,
            secretAccessKey = issued.SecretAccessKey,
            sessionToken = issued.SessionToken,
            // Strict ISO 8601 in UTC with Z: the agent renews 20 minutes before this time.
            expires = issued.Expiration.UtcDateTime.ToString("yyyy-MM-ddTHH:mm:ssZ", CultureInfo.InvariantCulture),
            region = issued.Region,
        });
    }
}
