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
    /// The first of <paramref name="newestFirst"/> that is enabled, not test-only (unless the device is a test device),
    /// includes the device in its rollout, is not the version the device runs, and matches: a release without a
    /// policy matches a device on an older version (Builder's default policy <c>semver(version, "&lt;", newVersion)</c>;
    /// a device with no or an unparsable version matches), a release with a policy matches when the policy is true,
    /// whatever the versions (so a release pinned to a bad version, <c>version == '1.2.3'</c>, rolls devices back).
    /// </summary>
    public Release? Select(IReadOnlyList<CatalogRelease> newestFirst, DeviceFacts device)
    {
        var current = PolicyOperators.TryParse(device.Version);
        foreach (var candidate in newestFirst)
        {
            var release = candidate.Release;
            var order = current is null ? 1 : candidate.Version.ComparePrecedenceTo(current);
            if (!release.Enabled
                || order == 0
                || (candidate.Policy is null && candidate.PolicyError is null && order < 0)
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
                var outcome = candidate.Policy.Evaluate(device, release.Version);
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
