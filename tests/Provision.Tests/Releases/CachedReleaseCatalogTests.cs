using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using Microsoft.Extensions.Time.Testing;
using NSubstitute;
using NSubstitute.ExceptionExtensions;
using Provision.Core;
using Provision.Core.Releases;

namespace Provision.Tests.Releases;

public class CachedReleaseCatalogTests
{
    private readonly IReleaseStore _store = Substitute.For<IReleaseStore>();
    private readonly FakeTimeProvider _clock = new();

    private CachedReleaseCatalog Catalog(int cacheSeconds = 30) =>
        new(_store, _clock, Options.Create(new ReleaseCatalogOptions { CacheSeconds = cacheSeconds }), NullLogger<CachedReleaseCatalog>.Instance);

    private void StoreHolds(params Release[] releases) =>
        _store.ListAsync("product-1", Arg.Any<CancellationToken>()).Returns(releases);

    [Fact]
    public async Task GetAsync_WithinTtl_ReadsStoreOnce()
    {
        StoreHolds(Facts.Release("1.1.0"));
        var catalog = Catalog();

        await catalog.GetAsync("product-1");
        _clock.Advance(TimeSpan.FromSeconds(29));
        await catalog.GetAsync("product-1");

        await _store.Received(1).ListAsync("product-1", Arg.Any<CancellationToken>());
    }

    [Fact]
    public async Task GetAsync_AfterTtl_ReadsStoreAgain()
    {
        StoreHolds(Facts.Release("1.1.0"));
        var catalog = Catalog();

        await catalog.GetAsync("product-1");
        _clock.Advance(TimeSpan.FromSeconds(30));
        await catalog.GetAsync("product-1");

        await _store.Received(2).ListAsync("product-1", Arg.Any<CancellationToken>());
    }

    [Fact]
    public async Task GetAsync_CacheSecondsZero_ReadsStoreEveryTime()
    {
        StoreHolds(Facts.Release("1.1.0"));
        var catalog = Catalog(cacheSeconds: 0);

        await catalog.GetAsync("product-1");
        await catalog.GetAsync("product-1");

        await _store.Received(2).ListAsync("product-1", Arg.Any<CancellationToken>());
    }

    [Fact]
    public async Task GetAsync_ManyConcurrentMisses_ReadsStoreOnce()
    {
        var pending = new TaskCompletionSource<IReadOnlyList<Release>>(TaskCreationOptions.RunContinuationsAsynchronously);
        _store.ListAsync("product-1", Arg.Any<CancellationToken>()).Returns(pending.Task);
        var catalog = Catalog();

        var calls = Enumerable.Range(0, 50).Select(_ => Task.Run(() => catalog.GetAsync("product-1"))).ToList();
        await Task.Delay(50);
        pending.SetResult([Facts.Release("1.1.0")]);
        var results = await Task.WhenAll(calls);

        await _store.Received(1).ListAsync("product-1", Arg.Any<CancellationToken>());
        Assert.All(results, r => Assert.Same(results[0], r));
    }

    [Fact]
    public async Task GetAsync_StoreFails_FailureNotCached()
    {
        _store.ListAsync("product-1", Arg.Any<CancellationToken>())
            .Returns(
                _ => Task.FromException<IReadOnlyList<Release>>(new StorageUnavailableException("Storage did not answer.")),
                _ => Task.FromResult<IReadOnlyList<Release>>([Facts.Release("1.1.0")]));
        var catalog = Catalog();

        await Assert.ThrowsAsync<StorageUnavailableException>(() => catalog.GetAsync("product-1"));
        var releases = await catalog.GetAsync("product-1");

        Assert.Equal("1.1.0", Assert.Single(releases).Release.Version);
    }

    [Fact]
    public async Task GetAsync_OtherProduct_CachedSeparately()
    {
        StoreHolds(Facts.Release("1.1.0"));
        _store.ListAsync("product-2", Arg.Any<CancellationToken>()).Returns([Facts.Release("2.0.0")]);
        var catalog = Catalog();

        var first = await catalog.GetAsync("product-1");
        var second = await catalog.GetAsync("product-2");

        Assert.Equal("1.1.0", Assert.Single(first).Release.Version);
        Assert.Equal("2.0.0", Assert.Single(second).Release.Version);
    }

    [Fact]
    public async Task GetAsync_ReleaseUnchangedAfterTtl_ReusesCompiledPolicy()
    {
        StoreHolds(Facts.Release("1.1.0", policy: "pro == true"));
        var catalog = Catalog();

        var first = await catalog.GetAsync("product-1");
        _clock.Advance(TimeSpan.FromMinutes(1));
        var second = await catalog.GetAsync("product-1");

        Assert.Same(first[0].Policy, second[0].Policy);
    }

    [Fact]
    public async Task GetAsync_ReleaseChangedAfterTtl_CompilesNewPolicy()
    {
        StoreHolds(Facts.Release("1.1.0", policy: "pro == true"));
        var catalog = Catalog();
        var first = await catalog.GetAsync("product-1");

        var changed = Facts.Release("1.1.0", policy: "pro == false");
        changed.ETag = "etag-2";
        StoreHolds(changed);
        _clock.Advance(TimeSpan.FromMinutes(1));
        var second = await catalog.GetAsync("product-1");

        Assert.NotSame(first[0].Policy, second[0].Policy);
        Assert.Equal("pro == false", second[0].Policy?.Expression);
    }

    [Fact]
    public async Task GetAsync_StoredVersionNotSemVer_SkipsRelease()
    {
        StoreHolds(Facts.Release("latest"), Facts.Release("1.1.0"));

        var releases = await Catalog().GetAsync("product-1");

        Assert.Equal("1.1.0", Assert.Single(releases).Release.Version);
    }
}
