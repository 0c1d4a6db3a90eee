using Microsoft.Extensions.Logging;
using Provision.Core.Products;
using Provision.Core.Security;
using Provision.Core.Storage;

namespace Provision.Core.Devices;

/// <summary>What a device sends to register (from its device.json5), and its current token when it has one.</summary>
public sealed record RegistrationRequest(string DeviceId, string ProductId, string? CurrentToken);

/// <summary>The answer to a registration; <see cref="Token"/> is shown once and never stored.</summary>
public sealed record Registration(string DeviceId, string Token, bool Created)
{
    public override string ToString() => $"Registration {{ DeviceId = {DeviceId}, Created = {Created} }}";
}

public interface IRegistrationService
{
    Task<Registration> RegisterAsync(string? productAuthorization, RegistrationRequest request, CancellationToken cancellationToken = default);
}

/// <summary>
/// Self-registration with a product token. A product token alone registers a new or released device;
/// an existing device is only answered when it also presents its own current token.
/// </summary>
public sealed class RegistrationService(
    IProductStore products, IDeviceStore devices, TimeProvider clock, ILogger<RegistrationService> log) : IRegistrationService
{
    public async Task<Registration> RegisterAsync(string? productAuthorization, RegistrationRequest request, CancellationToken cancellationToken = default)
    {
        DeviceIds.Validate(request.DeviceId);
        TableKeys.Validate(request.ProductId, "product");
        var productToken = Tokens.FromAuthorizationHeader(productAuthorization) ?? throw new AuthenticationFailedException();
        var product = await products.GetAsync(request.ProductId, cancellationToken);
        if (product is null || !Tokens.Matches(productToken, product.TokenHash))
        {
            throw new AuthenticationFailedException();
        }

        var existing = await devices.GetAsync(request.DeviceId, cancellationToken);
        if (existing is null)
        {
            var token = Tokens.New();
            await devices.CreateAsync(new Device
            {
                Id = request.DeviceId,
                ProductId = product.Id,
                TokenHash = Tokens.Hash(token),
                Created = clock.GetUtcNow(),
            }, cancellationToken);
            log.LogInformation("Registered {DeviceId} for {ProductId}", request.DeviceId, product.Id);
            return new Registration(request.DeviceId, token, Created: true);
        }

        if (existing.ProductId != product.Id)
        {
            throw new ForbiddenException($"Device {request.DeviceId} is registered to another product.");
        }
        if (request.CurrentToken is { } current && Tokens.Matches(current, existing.TokenHash) && existing.State != DeviceState.Released)
        {
            return new Registration(existing.Id, current, Created: false);
        }
        if (existing.State == DeviceState.Released)
        {
            // An operator released the device: its agent registers afresh and gets a new token.
            var token = Tokens.New();
            existing.MoveTo(DeviceState.Registered);
            existing.AccountId = null;
            await devices.ReplaceTokenAsync(existing, Tokens.Hash(token), cancellationToken);
            log.LogInformation("Registered released device {DeviceId} again", existing.Id);
            return new Registration(existing.Id, token, Created: true);
        }
        throw new EntityExistsException(
            $"Device {request.DeviceId} is already registered. Send its current device token as \"token\" to register it again, or ask the operator to release it.");
    }
}
