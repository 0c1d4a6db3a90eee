using Microsoft.Extensions.Logging.Abstractions;
using NSubstitute;
using Provision.Core.Releases;

namespace Provision.Tests.Releases;

public class ReleaseSelectorTests
{
    private readonly ReleaseSelector _selector = new(Substitute.For<IReleaseCatalog>(), NullLogger<ReleaseSelector>.Instance);

    private static IReadOnlyList<CatalogRelease> Catalog(params Release[] newestFirst) => newestFirst.Select(CatalogRelease.Create).ToList();

    [Fact]
    public void Select_NewerRelease_ReturnsIt()
    {
        var selected = _selector.Select(Catalog(Facts.Release("1.1.0")), Facts.Device("1.0.0"));

        Assert.Equal("1.1.0", selected?.Version);
    }

    [Fact]
    public void Select_NewestDisabled_ReturnsNextOlder()
    {
        var selected = _selector.Select(Catalog(Facts.Release("1.2.0", enabled: false), Facts.Release("1.1.0")), Facts.Device("1.0.0"));

        Assert.Equal("1.1.0", selected?.Version);
    }

    [Fact]
    public void Select_OnlyOlderReleases_ReturnsNull()
    {
        var selected = _selector.Select(Catalog(Facts.Release("1.0.0"), Facts.Release("0.9.0")), Facts.Device("1.1.0"));

        Assert.Null(selected);
    }

    [Fact]
    public void Select_EqualVersion_ReturnsNull()
    {
        var selected = _selector.Select(Catalog(Facts.Release("1.0.0")), Facts.Device("1.0.0"));

        Assert.Null(selected);
    }

    [Fact]
    public void Select_EqualPrecedenceDifferentBuild_ReturnsNull()
    {
        var selected = _selector.Select(Catalog(Facts.Release("1.0.0+build.2")), Facts.Device("1.0.0+build.1"));

        Assert.Null(selected);
    }

    [Fact]
    public void Select_DeviceOnPreRelease_GetsTheRelease()
    {
        var selected = _selector.Select(Catalog(Facts.Release("1.0.0")), Facts.Device("1.0.0-rc.1"));

        Assert.Equal("1.0.0", selected?.Version);
    }

    [Fact]
    public void Select_NumericOrder_ComparesBySemVer()
    {
        var selected = _selector.Select(Catalog(Facts.Release("1.10.0")), Facts.Device("1.9.0"));

        Assert.Equal("1.10.0", selected?.Version);
    }

    [Theory]
    [InlineData(null)]
    [InlineData("")]
    [InlineData("not-a-version")]
    public void Select_DeviceVersionUnknown_ReturnsNewestApplicable(string? version)
    {
        var selected = _selector.Select(Catalog(Facts.Release("2.0.0", testOnly: true), Facts.Release("1.1.0"), Facts.Release("1.0.0")), Facts.Device(version));

        Assert.Equal("1.1.0", selected?.Version);
    }

    [Fact]
    public void Select_TestOnlyForOrdinaryDevice_ReturnsNextOlder()
    {
        var selected = _selector.Select(Catalog(Facts.Release("1.2.0", testOnly: true), Facts.Release("1.1.0")), Facts.Device("1.0.0"));

        Assert.Equal("1.1.0", selected?.Version);
    }

    [Fact]
    public void Select_TestOnlyForTestDevice_ReturnsIt()
    {
        var selected = _selector.Select(Catalog(Facts.Release("1.2.0", testOnly: true), Facts.Release("1.1.0")), Facts.Device("1.0.0", test: true));

        Assert.Equal("1.2.0", selected?.Version);
    }

    [Fact]
    public void Select_PolicyTrue_ReturnsIt()
    {
        var selected = _selector.Select(Catalog(Facts.Release("1.1.0", policy: "pro == true")), Facts.Device("1.0.0", properties: """{"pro":true}"""));

        Assert.Equal("1.1.0", selected?.Version);
    }

    [Fact]
    public void Select_PolicyFalse_FallsThroughToNextOlder()
    {
        var selected = _selector.Select(
            Catalog(Facts.Release("1.2.0", policy: "region == \"eu\""), Facts.Release("1.1.0")),
            Facts.Device("1.0.0", properties: """{"region":"us"}"""));

        Assert.Equal("1.1.0", selected?.Version);
    }

    [Fact]
    public void Select_PolicyFails_FallsThroughToNextOlder()
    {
        var selected = _selector.Select(
            Catalog(Facts.Release("1.2.0", policy: "missing.field == 1"), Facts.Release("1.1.0")),
            Facts.Device("1.0.0"));

        Assert.Equal("1.1.0", selected?.Version);
    }

    [Fact]
    public void Select_StoredPolicyDoesNotCompile_FallsThroughToNextOlder()
    {
        var selected = _selector.Select(
            Catalog(Facts.Release("1.2.0", policy: "pro =="), Facts.Release("1.1.0")),
            Facts.Device("1.0.0"));

        Assert.Equal("1.1.0", selected?.Version);
    }

    [Fact]
    public void Select_RolloutZero_ReturnsNull()
    {
        var selected = _selector.Select(Catalog(Facts.Release("1.1.0", rollout: 0)), Facts.Device("1.0.0"));

        Assert.Null(selected);
    }

    [Fact]
    public void Select_RolloutHundred_ReturnsIt()
    {
        var selected = _selector.Select(Catalog(Facts.Release("1.1.0", rollout: 100)), Facts.Device("1.0.0"));

        Assert.Equal("1.1.0", selected?.Version);
    }

    // Builder semantics: newest first, first match offered; a blank policy means semver(version, "<", newVersion);
    // a policy decides alone; the version a device runs is never offered.
    [Theory]
    [InlineData("1.2.3", "1.2.2")]  // on the bad version: rolled back
    [InlineData("1.2.2", null)]     // on the rollback version: never offered what it runs
    [InlineData("1.0.0", "1.2.1")]  // older devices: the rollback's policy is false, the next blank one matches
    [InlineData("1.2.1", null)]     // already on the last good one
    public void Select_RollbackRelease_OffersItOnlyToTheBadVersion(string running, string? expected)
    {
        var catalog = Catalog(
            Facts.Release("1.2.3", enabled: false),
            Facts.Release("1.2.2", policy: "version == '1.2.3'"),
            Facts.Release("1.2.1"));

        Assert.Equal(expected, _selector.Select(catalog, Facts.Device(running))?.Version);
    }

    [Theory]
    [InlineData("pro == true", "2.0.0", "1.1.0")]                        // a policy decides alone, older or not
    [InlineData("pro == true", "1.1.0", null)]                            // but never the running version
    [InlineData("pro == true", "1.1.0+build.9", null)]                    // by SemVer precedence
    [InlineData("semver(version, \"<\", newVersion)", "1.2.0", null)]   // Builder's default policy written out
    [InlineData("semver(version, \"<\", newVersion)", "1.0.0", "1.1.0")]
    [InlineData("pro == true && version < newVersion", "2.0.0", null)]
    public void Select_ReleaseWithPolicy_PolicyDecides(string policy, string running, string? expected)
    {
        var selected = _selector.Select(Catalog(Facts.Release("1.1.0", policy: policy)), Facts.Device(running, properties: """{"pro":"true"}"""));

        Assert.Equal(expected, selected?.Version);
    }

    [Fact]
    public void Select_FirstMatchNewestFirst_OlderMatchesIgnored()
    {
        var catalog = Catalog(Facts.Release("1.3.0", policy: "model ^= 'T2'"), Facts.Release("1.2.0", policy: "model ^= 'T'"), Facts.Release("1.1.0"));

        var selected = _selector.Select(catalog, Facts.Device("1.0.0", properties: """{"model":"T2-eu"}"""));

        Assert.Equal("1.3.0", selected?.Version);
    }

    [Fact]
    public void Select_PolicySeesNewVersionOfEachCandidate()
    {
        var catalog = Catalog(Facts.Release("2.0.0", policy: "newVersion ^= '1.'"), Facts.Release("1.5.0", policy: "newVersion ^= '1.'"));

        Assert.Equal("1.5.0", _selector.Select(catalog, Facts.Device("1.0.0"))?.Version);
    }

    [Fact]
    public void InRollout_ThirtyPercentOfManyDevices_AboutThirtyPercentIn()
    {
        var inCount = Enumerable.Range(0, 10_000).Count(n => ReleaseSelector.InRollout($"device-{n}", "release-1", 30));

        Assert.InRange(inCount, 2_700, 3_300);
    }

    [Fact]
    public void InRollout_SameDeviceAndRelease_StableAcrossCalls()
    {
        var first = Enumerable.Range(0, 1_000).Select(n => ReleaseSelector.InRollout($"device-{n}", "release-1", 50)).ToList();
        var second = Enumerable.Range(0, 1_000).Select(n => ReleaseSelector.InRollout($"device-{n}", "release-1", 50)).ToList();

        Assert.Equal(first, second);
    }

    [Fact]
    public void InRollout_RaisedPercentage_KeepsDevicesAlreadyIn()
    {
        var ids = Enumerable.Range(0, 1_000).Select(n => $"device-{n}").ToList();

        var lost = ids.Where(id => ReleaseSelector.InRollout(id, "release-1", 20) && !ReleaseSelector.InRollout(id, "release-1", 60));

        Assert.Empty(lost);
    }

    [Fact]
    public void InRollout_DifferentReleases_SampleDifferentDevices()
    {
        var ids = Enumerable.Range(0, 1_000).Select(n => $"device-{n}").ToList();

        var first = ids.Where(id => ReleaseSelector.InRollout(id, "release-1", 50)).ToHashSet();
        var second = ids.Where(id => ReleaseSelector.InRollout(id, "release-2", 50)).ToHashSet();

        Assert.False(first.SetEquals(second));
    }

    [Fact]
    public async Task SelectAsync_ProductCatalog_SelectsFromIt()
    {
        var catalog = Substitute.For<IReleaseCatalog>();
        catalog.GetAsync("product-1", Arg.Any<CancellationToken>()).Returns(Catalog(Facts.Release("1.1.0")));
        var selector = new ReleaseSelector(catalog, NullLogger<ReleaseSelector>.Instance);

        var selected = await selector.SelectAsync("product-1", Facts.Device("1.0.0"));

        Assert.Equal("1.1.0", selected?.Version);
    }
}
