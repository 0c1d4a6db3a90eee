using Provision.Core.Security;
using Provision.Core.Storage;

namespace Provision.Core.Devices;

public interface IDeviceAuthenticator
{
    /// <summary>
    /// The device the token belongs to. A body id naming another device is refused (403); an unknown,
    /// released or deleted device's token fails (401 "Authentication failed").
    /// </summary>
    Task<Device> AuthenticateAsync(string? authorizationHeader, string? claimedId, CancellationToken cancellationToken = default);
}

public sealed class DeviceAuthenticator(IDeviceStore devices) : IDeviceAuthenticator
{
    public async Task<Device> AuthenticateAsync(string? authorizationHeader, string? claimedId, CancellationToken cancellationToken = default)
    {
        var token = Tokens.FromAuthorizationHeader(authorizationHeader) ?? throw new AuthenticationFailedException();
        if (claimedId is not null)
        {
            TableKeys.Validate(claimedId, "device id");
            // The hot path: one point read when the token is the device's own.
            var device = await devices.GetAsync(claimedId, cancellationToken);
            if (device is not null && Tokens.Matches(token, device.TokenHash))
            {
                return Usable(device);
            }
            var owner = await devices.FindIdByTokenHashAsync(Tokens.Hash(token), cancellationToken);
            if (owner is not null && owner != claimedId && await devices.GetAsync(owner, cancellationToken) is { } other
                && Tokens.Matches(token, other.TokenHash) && other.State != DeviceState.Released)
            {
                throw new ForbiddenException($"This token belongs to another device, not to {claimedId}.");
            }
            throw new AuthenticationFailedException();
        }

        var id = await devices.FindIdByTokenHashAsync(Tokens.Hash(token), cancellationToken);
        var found = id is null ? null : await devices.GetAsync(id, cancellationToken);
        return found is not null && Tokens.Matches(token, found.TokenHash) ? Usable(found) : throw new AuthenticationFailedException();
    }

    private static Device Usable(Device device) =>
        device.State == DeviceState.Released ? throw new AuthenticationFailedException() : device;
}
