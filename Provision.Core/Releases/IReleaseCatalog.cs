namespace Provision.Core.Releases;

/// <summary>A product's releases, ready for selection.</summary>
public interface IReleaseCatalog
{
    /// <summary>All of the product's releases (disabled ones included), newest first by SemVer precedence, policies compiled.</summary>
    Task<IReadOnlyList<CatalogRelease>> GetAsync(string productId, CancellationToken cancellationToken = default);
}
