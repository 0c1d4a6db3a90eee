using System.ComponentModel.DataAnnotations;

namespace Provision.Core.Releases;

/// <summary>How release data is cached for check-ins.</summary>
public sealed class ReleaseCatalogOptions
{
    public const string Section = "Releases";

    /// <summary>How long a product's releases are served from memory; a changed release reaches devices within this time. 0 reads storage on every check-in.</summary>
    [Range(0, 3600, ErrorMessage = "Releases:CacheSeconds must be from 0 to 3600.")]
    public int CacheSeconds { get; set; } = 30;
}
