using Microsoft.AspNetCore.Http;
using Microsoft.Azure.Functions.Worker;
using Provision.Core;
using Provision.Core.Devices;

namespace Provision.Functions.Functions;

/// <summary>Self-registration with a product token; the body is the device's device.json5.</summary>
public sealed class RegisterFunction(IRegistrationService registrations)
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
                call.OptionalString("product") ?? call.OptionalString("productId") ?? throw new ValidationException("\"product\" is required: the product id from device.json5."),
                call.OptionalString("token")),
            cancellationToken);
        return Results.Json(new
        {
            registered = true,
            id = registration.DeviceId,
            api = $"{request.Scheme}://{request.Host}",
            token = registration.Token,
        }, DeviceJson.Options);
    }
}
