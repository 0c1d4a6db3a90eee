using BenchmarkDotNet.Attributes;
using Microsoft.Extensions.Logging.Abstractions;
using Provision.Core.Releases;

namespace Provision.MicroBench;

/// <summary>
/// Selection over a catalog of 20 releases (1.20.0 down to 1.1.0) for a device on 1.2.0. The baseline catalog has no
/// policies and offers the newest release; in the others the device is on the 50 % rollout's wrong side or fails the
/// policy of every release but the oldest newer one, so selection walks the catalog.
/// </summary>
[MemoryDiagnoser]
public class SelectionBenchmarks
{
    private const int Releases = 20;

    private readonly ReleaseSelector _selector = new(new NoCatalog(), NullLogger<ReleaseSelector>.Instance);
    private readonly IReadOnlyList<CatalogRelease> _plain = Catalog(_ => null, 100);
    private readonly IReadOnlyList<CatalogRelease> _halfRollout = Catalog(_ => null, 50);
    private readonly IReadOnlyList<CatalogRelease> _policies = Catalog(minor => minor == 3 ? "pro == true" : "pro == false", 100);

    [Benchmark(Baseline = true)]
    public Release? NoPolicies_NewestApplies() => _selector.Select(_plain, Devices.Typed);

    [Benchmark]
    public Release? HalfRollout() => _selector.Select(_halfRollout, Devices.Typed);

    [Benchmark]
    public Release? Policies_OldestNewerApplies() => _selector.Select(_policies, Devices.Typed);

    private static IReadOnlyList<CatalogRelease> Catalog(Func<int, string?> policy, int rollout) =>
        Enumerable.Range(1, Releases).Reverse().Select(minor => CatalogRelease.Create(new Release
        {
            Id = $"REL{minor:D4}",
            ProductId = "PROD1",
            Version = $"1.{minor}.0",
            Url = $"https://updates.example.com/firmware-1.{minor}.0.bin",
            Checksum = new string('a', 64),
            Policy = policy(minor),
            Rollout = rollout,
        })).ToList();

    private sealed class NoCatalog : IReleaseCatalog
    {
        public Task<IReadOnlyList<CatalogRelease>> GetAsync(string productId, CancellationToken cancellationToken = default) =>
            throw new NotSupportedException("The benchmarks pass the catalog to Select.");
    }
}
