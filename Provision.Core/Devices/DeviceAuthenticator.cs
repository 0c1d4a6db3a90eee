using Microsoft.Extensions.Options;
using Provision.Core.Limits;
using Provision.Core.Products;
using Provision.Core.Security;
using Provision.Core.Storage;

namespace Provision.Core.Devices;

public interface IDeviceAuthenticator
{
    /// <summary>
    /// The device the token belongs to. A token that is not the body id's device's own (unknown, revoked, another
    /// device's), or a released or deleted device's token, fails (401 "Authentication failed"); an unknown token costs one storage read.
    /// </summary>
    Task<Device> AuthenticateAsync(string? authorizationHeader, string? claimedId, CancellationToken cancellationToken = default);

    /// <summary>
    /// For the update check and report only: the device's own token, or a fleet update token of the device's
    /// product. A device id new to the product is registered on its first call with a fleet token, within
    /// the product's limit of such devices.
    /// </summary>
    Task<Device> AuthenticateForUpdateAsync(string? authorizationHeader, string claimedId, CancellationToken cancellationToken = default);
}

/// <summary>How many devices fleet-token check-ins may register per product (section "FleetDevices").</summary>
public sealed class FleetDeviceOptions : LimitOptions
{
    public const string Section = "FleetDevices";

    public FleetDeviceOptions()
    {
        PermitsPerWindow = 10_000;
        Window = TimeSpan.FromDays(7);
    }
}

public sealed class DeviceAuthenticator(
    IDeviceStore devices, IFleetTokenStore fleetTokens, IUsageLimiter limiter, IOptions<FleetDeviceOptions> fleetDevices, TimeProvider clock)
    : IDeviceAuthenticator
{
    private readonly LimitRule _newFleetDevices = fleetDevices.Value.ToRule(
        "fleet-devices", "This product registered too many devices through its fleet token. Retry after the delay.");

    public async Task<Device> AuthenticateForUpdateAsync(string? authorizationHeader, string claimedId, CancellationToken cancellationToken = default)
    {
        var token = Tokens.FromAuthorizationHeader(authorizationHeader) ?? throw new AuthenticationFailedException();
        if (!token.StartsWith(FleetToken.Prefix, StringComparison.Ordinal))
        {
            return await AuthenticateAsync(authorizationHeader, claimedId, cancellationToken);
        }
        var fleet = await fleetTokens.FindByHashAsync(Tokens.Hash(token), cancellationToken);
        if (fleet is null || fleet.Revoked is not null || !Tokens.Matches(token, fleet.TokenHash))
        {
            throw new AuthenticationFailedException();
        }
        var device = await devices.GetAsync(claimedId, cancellationToken) ?? await RegisterAsync(fleet.ProductId, claimedId, cancellationToken);
        if (device.ProductId != fleet.ProductId)
        {
            throw new ForbiddenException($"Device {claimedId} belongs to another product.");
        }
        return Usable(device);
    }

    private async Task<Device> RegisterAsync(string productId, string deviceId, CancellationToken cancellationToken)
    {
        DeviceIds.Validate(deviceId);
        await limiter.AcquireAsync(_newFleetDevices, productId, cancellationToken);
        try
        {
            // Its own token is never shown: the device is known by the fleet token until it registers itself.
            return await devices.CreateAsync(new Device
            {
                Id = deviceId,
                ProductId = productId,
                TokenHash = Tokens.Hash(Tokens.New()),
                Created = clock.GetUtcNow(),
            }, cancellationToken);
        }
        catch (EntityExistsException)
        {
            return await devices.GetAsync(deviceId, cancellationToken) ?? throw new ConcurrencyException($"Device {deviceId} changed meanwhile. Retry.");
        }
    }

    public async Task<Device> AuthenticateAsync(string? authorizationHeader, string? claimedId, CancellationToken cancellationToken = default)
    {
        var token = Tokens.FromAuthorizationHeader(authorizationHeader) ?? throw new AuthenticationFailedException();
        if (claimedId is not null)
        {
            TableKeys.Validate(claimedId, "device id");
            // One point read, whatever the token: the device's own token passes, any other (unknown, revoked, or
            // another device's) fails here, so a stream of made-up tokens costs one read each and tells nothing.
            var device = await devices.GetAsync(claimedId, cancellationToken);
            return device is not null && Tokens.Matches(token, device.TokenHash) ? Usable(device) : throw new AuthenticationFailedException();
        }

        // No id: one read of the token index; only a known token costs the second, the device itself.
        var id = await devices.FindIdByTokenHashAsync(Tokens.Hash(token), cancellationToken);
        var found = id is null ? null : await devices.GetAsync(id, cancellationToken);
        return found is not null && Tokens.Matches(token, found.TokenHash) ? Usable(found) : throw new AuthenticationFailedException();
    }

    private static Device Usable(Device device) =>
        device.State == DeviceState.Released ? throw new AuthenticationFailedException() : device;
}
