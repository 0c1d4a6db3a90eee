using Microsoft.Extensions.Options;
using Provision.Core.Aws;
using Provision.Core.Devices;
using Provision.Core.Limits;

namespace Provision.Core.Credentials;

/// <summary>How often one device may ask for credentials (section "Credentials").</summary>
public sealed class CredentialsOptions : LimitOptions
{
    public const string Section = "Credentials";
}

public interface ICredentialsService
{
    Task<DeviceCredentials> GetCredentialsAsync(Device device, CancellationToken cancellationToken = default);
}

/// <summary>getCreds: STS credentials for claimed devices, with a per-device limit (shared by every instance) that protects the STS quota.</summary>
public sealed class CredentialsService(IDeviceCredentialIssuer issuer, IUsageLimiter limiter, IOptions<CredentialsOptions> options) : ICredentialsService
{
    private readonly LimitRule _rule = options.Value.ToRule("getCreds", "Too many credential requests for this device. Retry after the delay.");

    public async Task<DeviceCredentials> GetCredentialsAsync(Device device, CancellationToken cancellationToken = default)
    {
        if (!DeviceStates.IsClaimed(device.State) || device.State == DeviceState.Failed || device.AccountId is null)
        {
            throw new ForbiddenException("Device is not claimed");
        }
        await limiter.AcquireAsync(_rule, device.Id, cancellationToken);
        return await issuer.IssueAsync(new DeviceCredentialRequest(device.Id, device.ProductId, device.AccountId), cancellationToken);
    }
}
