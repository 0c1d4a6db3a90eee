using System.Buffers.Binary;
using System.Security.Cryptography;
using System.Text;
using Microsoft.Extensions.Logging;

namespace Provision.Core.Releases;

/// <summary>Picks the release a device should update to at check-in.</summary>
public sealed class ReleaseSelector(IReleaseCatalog catalog, ILogger<ReleaseSelector> log)
{
    /// <summary>The update for the device from its product's catalog, or null when none applies.</summary>
    public async Task<Release?> SelectAsync(string productId, DeviceFacts device, CancellationToken cancellationToken = default) =>
        Select(await catalog.GetAsync(productId, cancellationToken), device);

    /// <summary>
    /// The first of <paramref name="newestFirst"/> that is enabled, newer than the device's version, not test-only
    /// (unless the device is a test device), includes the device in its rollout and whose policy is true.
    /// A device with no or an unparsable version gets the newest applicable release.
    /// </summary>
    public Release? Select(IReadOnlyList<CatalogRelease> newestFirst, DeviceFacts device)
    {
        var current = SemVerComparisons.TryParse(device.Version);
        foreach (var candidate in newestFirst)
        {
            var release = candidate.Release;
            if (!release.Enabled
                || (current is not null && candidate.Version.ComparePrecedenceTo(current) <= 0)
                || (release.TestOnly && !device.Test)
                || !InRollout(device.DeviceId, release.Id, release.Rollout))
            {
                continue;
            }
            if (candidate.PolicyError is not null)
            {
                log.LogWarning("Release {ReleaseId} has a policy that does not compile and is offered to no device: {PolicyError}", release.Id, candidate.PolicyError);
                continue;
            }
            if (candidate.Policy is not null)
            {
                var outcome = candidate.Policy.Evaluate(device);
                if (outcome.Failure is not null)
                {
                    log.LogWarning("Policy of release {ReleaseId} failed for device {DeviceId}: {PolicyFailure}", release.Id, device.DeviceId, outcome.Failure);
                }
                if (!outcome.Applies)
                {
                    continue;
                }
            }
            return release;
        }
        return null;
    }

    /// <summary>
    /// Whether the device is in a release's rollout. A stable hash of (device, release) puts each device in one of
    /// 100 buckets, so raising the percentage only adds devices and each release samples devices independently.
    /// </summary>
    public static bool InRollout(string deviceId, string releaseId, int rollout)
    {
        if (rollout <= 0)
        {
            return false;
        }
        if (rollout >= 100)
        {
            return true;
        }
        // Ids cannot hold control characters (they are table keys), so '\n' separates them unambiguously.
        var hash = SHA256.HashData(Encoding.UTF8.GetBytes($"{deviceId}\n{releaseId}"));
        return BinaryPrimitives.ReadUInt32BigEndian(hash) % 100 < rollout;
    }
}
