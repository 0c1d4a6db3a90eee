using System.ComponentModel.DataAnnotations;
using System.Threading.RateLimiting;
using Microsoft.Extensions.Options;
using Provision.Core.Aws;
using Provision.Core.Devices;

namespace Provision.Core.Credentials;

/// <summary>How often one device may ask for credentials (section "Credentials").</summary>
public sealed class CredentialsOptions
{
    public const string Section = "Credentials";

    [Range(1, 1000)]
    public int PermitsPerWindow { get; set; } = 10;

    [Range(typeof(TimeSpan), "00:00:01", "1.00:00:00")]
    public TimeSpan Window { get; set; } = TimeSpan.FromMinutes(1);
}

public interface ICredentialsService
{
    Task<DeviceCredentials> GetCredentialsAsync(Device device, CancellationToken cancellationToken = default);
}

/// <summary>getCreds: STS credentials for claimed devices, with a per-device limit that protects the STS quota.</summary>
public sealed class CredentialsService(IDeviceCredentialIssuer issuer, IOptions<CredentialsOptions> options) : ICredentialsService, IDisposable
{
    private readonly PartitionedRateLimiter<string> _limiter = PartitionedRateLimiter.Create<string, string>(deviceId =>
        RateLimitPartition.GetFixedWindowLimiter(deviceId, _ => new FixedWindowRateLimiterOptions
        {
            PermitLimit = options.Value.PermitsPerWindow,
            Window = options.Value.Window,
            QueueLimit = 0,
        }));

    public async Task<DeviceCredentials> GetCredentialsAsync(Device device, CancellationToken cancellationToken = default)
    {
        if (!DeviceStates.IsClaimed(device.State) || device.State == DeviceState.Failed || device.AccountId is null)
        {
            throw new ForbiddenException("Device is not claimed");
        }
        using var lease = _limiter.AttemptAcquire(device.Id);
        if (!lease.IsAcquired)
        {
            var delay = lease.TryGetMetadata(MetadataName.RetryAfter, out var retryAfter) ? retryAfter : options.Value.Window;
            throw new RateLimitedException("Too many credential requests for this device. Retry after the delay.", Math.Max(1, (int)Math.Ceiling(delay.TotalSeconds)));
        }
        return await issuer.IssueAsync(new DeviceCredentialRequest(device.Id, device.ProductId, device.AccountId), cancellationToken);
    }

    public void Dispose() => _limiter.Dispose();
}
