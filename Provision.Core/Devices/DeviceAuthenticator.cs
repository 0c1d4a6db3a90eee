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
}

public sealed class DeviceAuthenticator(IDeviceStore devices) : IDeviceAuthenticator
{
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
