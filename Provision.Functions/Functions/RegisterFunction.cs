using Microsoft.AspNetCore.Http;
using Microsoft.Azure.Functions.Worker;
using Microsoft.Extensions.Options;
using Provision.Core;
using Provision.Core.Aws;
using Provision.Core.Devices;

namespace Provision.Functions.Functions;

/// <summary>
/// Self-registration with a product token; the body is the device's device.json5. The answer is what the
/// Ioto agent keeps: it sends every later call to <c>api</c> (the configured public URL, never the request's)
/// with <c>token</c>, then polls getCerts until it is claimed and provisioned.
/// </summary>
public sealed class RegisterFunction(IRegistrationService registrations, IOptions<CloudOptions> cloud, IOptions<AwsOptions> aws)
{
    [Function(nameof(Register))]
    public async Task<IResult> Register(
        [HttpTrigger(AuthorizationLevel.Anonymous, "post", Route = "device/register")] HttpRequest request,
        CancellationToken cancellationToken)
    {
        var call = await DeviceRequest.ReadAsync(request, bodyRequired: true, cancellationToken);
        var registration = await registrations.RegisterAsync(
            call.Authorization,
            new RegistrationRequest(
                call.RequiredString("id"),
                call.OptionalString("product") ?? call.OptionalString("productId")
                    ?? throw new ValidationException("\"product\" is required: the product token (or product id) from device.json5."),
                call.OptionalString("token"),
                call.OptionalString("account"),
                call.OptionalString("cloud")),
            cancellationToken);
        return DeviceJson.Ok(new
        {
            registered = true,
            id = registration.DeviceId,
            api = cloud.Value.PublicUrl,
            token = registration.Token,
            cloudType = "dedicated",
            cloudName = cloud.Value.Name,
            cloudRegion = aws.Value.Region,
        });
    }
}
