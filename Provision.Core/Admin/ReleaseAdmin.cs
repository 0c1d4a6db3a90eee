using Microsoft.Extensions.Logging;
using Provision.Core.Products;
using Provision.Core.Releases;

namespace Provision.Core.Admin;

/// <summary>
/// A release to publish; the version (SemVer 2.0), https url, hex SHA-256 checksum, policy and limits are checked.
/// <see cref="MaxDevices"/> and <see cref="MaxUpdates"/> per <see cref="Period"/> seconds limit offers besides the rollout.
/// </summary>
public sealed record NewRelease(
    string? Version, string? Url, string? Checksum, bool TestOnly = false, string? Policy = null, int Rollout = 100, bool Enabled = true,
    int? MaxDevices = null, int? MaxUpdates = null, int? Period = null);

/// <summary>A field given in a change, null included (which clears it).</summary>
public sealed record Given<T>(T Value);

/// <summary>
/// Changes to a release; a null field is left as it is. <see cref="Policy"/> is applied only when
/// <see cref="PolicyGiven"/>, so that a null policy can clear it; a limit given as null is cleared.
/// </summary>
public sealed record ReleaseChanges(
    int? Rollout = null, bool? TestOnly = null, bool? Enabled = null, bool PolicyGiven = false, string? Policy = null,
    Given<int?>? MaxDevices = null, Given<int?>? MaxUpdates = null, Given<int?>? Period = null);

/// <summary>A release with how many devices were offered it and how many reported success or failure.</summary>
public sealed record ReleaseStatus(Release Release, ReleaseCounters Counters);

public interface IReleaseAdmin
{
    Task<ReleaseStatus> CreateAsync(string productId, NewRelease request, CancellationToken cancellationToken = default);
    Task<IReadOnlyList<ReleaseStatus>> ListAsync(string productId, CancellationToken cancellationToken = default);
    Task<ReleaseStatus> GetAsync(string productId, string releaseId, CancellationToken cancellationToken = default);
    Task<ReleaseStatus> UpdateAsync(string productId, string releaseId, ReleaseChanges changes, CancellationToken cancellationToken = default);
    Task<ReleaseStatus> SetEnabledAsync(string productId, string releaseId, bool enabled, CancellationToken cancellationToken = default);
    Task DeleteAsync(string productId, string releaseId, CancellationToken cancellationToken = default);
}

public sealed class ReleaseAdmin(
    IReleaseStore releases, IProductStore products, IUpdateReportStore reports, TimeProvider clock, ILogger<ReleaseAdmin> log) : IReleaseAdmin
{
    public async Task<ReleaseStatus> CreateAsync(string productId, NewRelease request, CancellationToken cancellationToken = default)
    {
        var release = new Release
        {
            Id = Guid.NewGuid().ToString("N"),
            ProductId = productId,
            Version = request.Version ?? "",
            Url = request.Url ?? "",
            Checksum = request.Checksum?.ToLowerInvariant() ?? "",
            TestOnly = request.TestOnly,
            Policy = CheckPolicy(request.Policy),
            Rollout = request.Rollout,
            MaxDevices = request.MaxDevices,
            MaxUpdates = request.MaxUpdates,
            Period = request.Period,
            Enabled = request.Enabled,
            Created = clock.GetUtcNow(),
        };
        release.Validate();
        await RequireProductAsync(productId, cancellationToken);
        release = await releases.AddAsync(release, cancellationToken);
        log.LogInformation("Created release {ReleaseId} {Version} of {ProductId}", release.Id, release.Version, productId);
        return new ReleaseStatus(release, new ReleaseCounters(0, 0, 0));
    }

    public async Task<IReadOnlyList<ReleaseStatus>> ListAsync(string productId, CancellationToken cancellationToken = default)
    {
        await RequireProductAsync(productId, cancellationToken);
        var list = new List<ReleaseStatus>();
        foreach (var release in await releases.ListAsync(productId, cancellationToken))
        {
            list.Add(new ReleaseStatus(release, await reports.CountAsync(release.Id, cancellationToken)));
        }
        return list;
    }

    public async Task<ReleaseStatus> GetAsync(string productId, string releaseId, CancellationToken cancellationToken = default)
    {
        var release = await FindAsync(productId, releaseId, cancellationToken);
        return new ReleaseStatus(release, await reports.CountAsync(release.Id, cancellationToken));
    }

    public async Task<ReleaseStatus> UpdateAsync(string productId, string releaseId, ReleaseChanges changes, CancellationToken cancellationToken = default)
    {
        var release = await FindAsync(productId, releaseId, cancellationToken);
        release.Rollout = changes.Rollout ?? release.Rollout;
        release.TestOnly = changes.TestOnly ?? release.TestOnly;
        release.Enabled = changes.Enabled ?? release.Enabled;
        release.MaxDevices = changes.MaxDevices is { } maxDevices ? maxDevices.Value : release.MaxDevices;
        release.MaxUpdates = changes.MaxUpdates is { } maxUpdates ? maxUpdates.Value : release.MaxUpdates;
        release.Period = changes.Period is { } period ? period.Value : release.Period;
        if (changes.PolicyGiven)
        {
            release.Policy = CheckPolicy(changes.Policy);
        }
        release = await releases.UpdateAsync(release, cancellationToken);
        log.LogInformation("Updated release {ReleaseId} of {ProductId}", release.Id, productId);
        return new ReleaseStatus(release, await reports.CountAsync(release.Id, cancellationToken));
    }

    public async Task<ReleaseStatus> SetEnabledAsync(string productId, string releaseId, bool enabled, CancellationToken cancellationToken = default)
    {
        var release = await releases.SetEnabledAsync(productId, releaseId, enabled, cancellationToken);
        log.LogInformation("{Action} release {ReleaseId} of {ProductId}", enabled ? "Enabled" : "Disabled", release.Id, productId);
        return new ReleaseStatus(release, await reports.CountAsync(release.Id, cancellationToken));
    }

    public async Task DeleteAsync(string productId, string releaseId, CancellationToken cancellationToken = default)
    {
        await releases.DeleteAsync(productId, releaseId, cancellationToken);
        log.LogInformation("Deleted release {ReleaseId} of {ProductId}", releaseId, productId);
    }

    private async Task<Release> FindAsync(string productId, string releaseId, CancellationToken cancellationToken) =>
        await releases.GetAsync(productId, releaseId, cancellationToken)
            ?? throw new EntityNotFoundException($"Release {releaseId} of product {productId} does not exist.");

    private async Task RequireProductAsync(string productId, CancellationToken cancellationToken)
    {
        if (await products.GetAsync(productId, cancellationToken) is null)
        {
            throw ProductAdmin.NotFound(productId);
        }
    }

    // A blank policy is no policy; Release.Validate compiles the others.
    private static string? CheckPolicy(string? policy) => string.IsNullOrWhiteSpace(policy) ? null : policy;
}
