using System.Collections.Concurrent;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace Provision.Core.Releases;

/// <summary>
/// Keeps each product's releases in memory for <see cref="ReleaseCatalogOptions.CacheSeconds"/>, so steady-state
/// check-ins read no release data from storage. Concurrent misses for a product share one store read; a failed read
/// is not kept. Policies are compiled once per stored version of a release (its id and ETag).
/// </summary>
public sealed class CachedReleaseCatalog(
    IReleaseStore store,
    TimeProvider clock,
    IOptions<ReleaseCatalogOptions> options,
    ILogger<CachedReleaseCatalog> log) : IReleaseCatalog
{
    private readonly ConcurrentDictionary<string, Entry> _products = new(StringComparer.Ordinal);
    private readonly TimeSpan _ttl = TimeSpan.FromSeconds(options.Value.CacheSeconds);

    public async Task<IReadOnlyList<CatalogRelease>> GetAsync(string productId, CancellationToken cancellationToken = default)
    {
        while (true)
        {
            cancellationToken.ThrowIfCancellationRequested();
            Entry entry;
            if (_products.TryGetValue(productId, out var cached))
            {
                var load = cached.Load;
                if (!load.IsCompleted || (load.IsCompletedSuccessfully && clock.GetUtcNow() < load.Result.Expires))
                {
                    entry = cached;
                }
                else
                {
                    // Expired or failed: the caller that swaps in a new entry is the one that reads the store.
                    entry = new Entry(() => LoadAsync(productId, load.IsCompletedSuccessfully ? load.Result : null));
                    if (!_products.TryUpdate(productId, entry, cached))
                    {
                        continue;
                    }
                }
            }
            else
            {
                entry = new Entry(() => LoadAsync(productId, previous: null));
                if (!_products.TryAdd(productId, entry))
                {
                    continue;
                }
            }

            try
            {
                return (await entry.Load.WaitAsync(cancellationToken)).Releases;
            }
            catch when (entry.Load.IsFaulted || entry.Load.IsCanceled)
            {
                _products.TryRemove(KeyValuePair.Create(productId, entry));
                throw;
            }
        }
    }

    private async Task<Snapshot> LoadAsync(string productId, Snapshot? previous)
    {
        // Not the caller's token: other callers wait on the same read.
        var releases = await store.ListAsync(productId, CancellationToken.None);
        var list = new List<CatalogRelease>(releases.Count);
        var byKey = new Dictionary<PolicyKey, CatalogRelease>(releases.Count);
        foreach (var release in releases)
        {
            var key = new PolicyKey(release.Id, release.ETag, release.Policy);
            CatalogRelease entry;
            if (previous is not null && previous.ByKey.TryGetValue(key, out var known))
            {
                entry = known with { Release = release };
            }
            else
            {
                try
                {
                    entry = CatalogRelease.Create(release);
                }
                catch (ValidationException)
                {
                    log.LogWarning("Release {ReleaseId} of product {ProductId} has a version that is not SemVer 2.0 and is never offered", release.Id, productId);
                    continue;
                }
                if (entry.PolicyError is not null)
                {
                    log.LogWarning("Release {ReleaseId} of product {ProductId} has a policy that does not compile: {PolicyError}", release.Id, productId, entry.PolicyError);
                }
            }
            list.Add(entry);
            byKey[key] = entry;
        }
        return new Snapshot(list, byKey, clock.GetUtcNow() + _ttl);
    }

    private sealed class Entry(Func<Task<Snapshot>> load)
    {
        private readonly Lazy<Task<Snapshot>> _load = new(load);

        public Task<Snapshot> Load => _load.Value;
    }

    private sealed record Snapshot(IReadOnlyList<CatalogRelease> Releases, IReadOnlyDictionary<PolicyKey, CatalogRelease> ByKey, DateTimeOffset Expires);

    private readonly record struct PolicyKey(string ReleaseId, string? ETag, string? Policy);
}
