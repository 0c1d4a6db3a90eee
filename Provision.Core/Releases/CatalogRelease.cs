using Semver;

namespace Provision.Core.Releases;

/// <summary>A release as selection needs it: its parsed version and its compiled policy.</summary>
/// <param name="Release">The stored release.</param>
/// <param name="Version">Its parsed SemVer version.</param>
/// <param name="Policy">The compiled policy; null when the release has none (it applies to every device).</param>
/// <param name="PolicyError">Why the stored policy does not compile; such a release applies to no device.</param>
public sealed record CatalogRelease(Release Release, SemVersion Version, ReleasePolicy? Policy, string? PolicyError)
{
    /// <summary>Parses and compiles a release; throws a <see cref="ValidationException"/> only for a version that is not SemVer.</summary>
    public static CatalogRelease Create(Release release)
    {
        var version = Release.ParseVersion(release.Version);
        if (string.IsNullOrWhiteSpace(release.Policy))
        {
            return new CatalogRelease(release, version, null, null);
        }
        try
        {
            return new CatalogRelease(release, version, ReleasePolicy.Compile(release.Policy), null);
        }
        catch (ValidationException e)
        {
            return new CatalogRelease(release, version, null, e.Message);
        }
    }
}
