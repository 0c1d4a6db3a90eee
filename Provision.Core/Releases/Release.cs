using System.Text.RegularExpressions;
using Semver;

namespace Provision.Core.Releases;

/// <summary>A software release offered to a product's devices at check-in.</summary>
public sealed partial class Release
{
    public required string Id { get; init; }
    public required string ProductId { get; init; }

    /// <summary>SemVer 2.0 version, as given.</summary>
    public required string Version { get; init; }
    public required string Url { get; set; }

    /// <summary>Hex SHA-256 of the image.</summary>
    public required string Checksum { get; set; }

    /// <summary>Offered only to devices that check in with <c>test: true</c>.</summary>
    public bool TestOnly { get; set; }

    /// <summary>Expression over the device's properties that must be true for the release to apply; null applies to all.</summary>
    public string? Policy { get; set; }

    /// <summary>Share of devices (0–100) the release is rolled out to.</summary>
    public int Rollout { get; set; } = 100;

    /// <summary>At most this many devices are offered the release in all; null for no limit.</summary>
    public int? MaxDevices { get; set; }

    /// <summary>At most this many devices are offered the release for the first time per <see cref="Period"/>; null for no limit.</summary>
    public int? MaxUpdates { get; set; }

    /// <summary>The period of <see cref="MaxUpdates"/> in seconds (fixed windows counted from the Unix epoch); one hour when not given.</summary>
    public int? Period { get; set; }

    public bool Enabled { get; set; } = true;
    public DateTimeOffset Created { get; init; }
    public string? ETag { get; set; }

    public SemVersion SemVersion => ParseVersion(Version);

    public const int DefaultPeriod = 3600;
    public const int MaxPeriod = 31 * 24 * 3600;

    /// <summary>Whether offers of the release are limited beyond its rollout percentage.</summary>
    public bool HasLimits => MaxDevices is not null || MaxUpdates is not null;

    /// <summary>The period <see cref="MaxUpdates"/> counts over.</summary>
    public TimeSpan UpdatePeriod => TimeSpan.FromSeconds(Period ?? DefaultPeriod);

    /// <summary>Parses a strict SemVer 2.0 version or throws a <see cref="ValidationException"/> that says why.</summary>
    public static SemVersion ParseVersion(string? version)
    {
        if (string.IsNullOrWhiteSpace(version) || !SemVersion.TryParse(version, SemVersionStyles.Strict, out var parsed))
        {
            throw new ValidationException($"Version '{version}' is not a SemVer 2.0 version such as 1.2.3 or 1.2.3-beta.1.");
        }
        return parsed;
    }

    /// <summary>Checks the fields an operator supplies; throws a <see cref="ValidationException"/> naming the first bad one.</summary>
    public void Validate()
    {
        ParseVersion(Version);
        if (!Uri.TryCreate(Url, UriKind.Absolute, out var url) || url.Scheme != Uri.UriSchemeHttps)
        {
            throw new ValidationException($"Release url '{Url}' must be an absolute https URL.");
        }
        if (Checksum is null || !Sha256Hex().IsMatch(Checksum))
        {
            throw new ValidationException("Release checksum must be a hex SHA-256 digest (64 hex characters).");
        }
        if (Rollout is < 0 or > 100)
        {
            throw new ValidationException("Release rollout must be a percentage from 0 to 100.");
        }
        if (MaxDevices is < 1)
        {
            throw new ValidationException("Release maxDevices must be at least 1 (leave it out for no limit).");
        }
        if (MaxUpdates is < 1)
        {
            throw new ValidationException("Release maxUpdates must be at least 1 (leave it out for no limit).");
        }
        if (Period is < 60 or > MaxPeriod)
        {
            throw new ValidationException($"Release period must be from 60 to {MaxPeriod} seconds.");
        }
        if (!string.IsNullOrWhiteSpace(Policy))
        {
            ReleasePolicy.Compile(Policy);
        }
    }

    /// <summary>Newest first by SemVer 2.0 precedence (pre-releases before their release; build metadata ignored).</summary>
    public static IReadOnlyList<Release> NewestFirst(IEnumerable<Release> releases) =>
        releases.OrderByDescending(r => r.SemVersion, SemVersion.PrecedenceComparer)
            .ThenByDescending(r => r.Created)
            .ToList();

    [GeneratedRegex("^[0-9a-fA-F]{64}$")]
    private static partial Regex Sha256Hex();
}

public interface IReleaseStore
{
    /// <summary>Adds a release; <see cref="EntityExistsException"/> when the product already has that version.</summary>
    Task<Release> AddAsync(Release release, CancellationToken cancellationToken = default);
    Task<Release?> GetAsync(string productId, string releaseId, CancellationToken cancellationToken = default);

    /// <summary>All of a product's releases, newest first by SemVer precedence.</summary>
    Task<IReadOnlyList<Release>> ListAsync(string productId, CancellationToken cancellationToken = default);
    Task<Release> UpdateAsync(Release release, CancellationToken cancellationToken = default);
    Task<Release> SetEnabledAsync(string productId, string releaseId, bool enabled, CancellationToken cancellationToken = default);
    Task DeleteAsync(string productId, string releaseId, CancellationToken cancellationToken = default);
}
