using Provision.Core;
using Provision.Core.Releases;

namespace Provision.Tests.Domain;

public class ReleaseTests
{
    [Fact]
    public void NewestFirst_MixedVersions_OrdersBySemVerPrecedence()
    {
        var ordered = Release.NewestFirst(
            new[] { "1.0.0", "1.0.0-alpha", "1.10.0", "1.2.0", "1.0.0-alpha.1", "1.0.0-beta.11", "1.0.0-beta.2", "1.0.0-rc.1", "2.0.0-rc.1" }
                .Select(v => NewRelease(v)));

        Assert.Equal(
            new[] { "2.0.0-rc.1", "1.10.0", "1.2.0", "1.0.0", "1.0.0-rc.1", "1.0.0-beta.11", "1.0.0-beta.2", "1.0.0-alpha.1", "1.0.0-alpha" },
            ordered.Select(r => r.Version));
    }

    [Fact]
    public void NewestFirst_BuildMetadataOnly_KeepsNewerCreatedFirst()
    {
        var older = NewRelease("1.0.0+build.1");
        var newer = NewRelease("1.0.0+build.2", created: older.Created.AddMinutes(1));

        var ordered = Release.NewestFirst([older, newer]);

        Assert.Same(newer, ordered[0]);
    }

    [Theory]
    [InlineData("1.2")]
    [InlineData("v1.2.3")]
    [InlineData("01.2.3")]
    [InlineData("1.2.3-")]
    [InlineData("")]
    [InlineData("latest")]
    public void ParseVersion_NotSemVer_ThrowsWithExample(string version)
    {
        var error = Assert.Throws<ValidationException>(() => Release.ParseVersion(version));

        Assert.Contains("is not a SemVer 2.0 version", error.Message);
    }

    [Fact]
    public void Validate_HttpUrl_ThrowsNamingUrl()
    {
        var release = NewRelease("1.0.0");
        release.Url = "http://example.com/image.bin";

        var error = Assert.Throws<ValidationException>(release.Validate);

        Assert.Contains("https", error.Message);
    }

    [Theory]
    [InlineData("abc")]
    [InlineData("zz3ef4a7b1c2d3e4f5a6b7c8d9e0f1a2b3c4d5e6f7a8b9c0d1e2f3a4b5c6d7e8")]
    public void Validate_BadChecksum_ThrowsNamingChecksum(string checksum)
    {
        var release = NewRelease("1.0.0");
        release.Checksum = checksum;

        var error = Assert.Throws<ValidationException>(release.Validate);

        Assert.Contains("checksum", error.Message);
    }

    [Theory]
    [InlineData(-1)]
    [InlineData(101)]
    public void Validate_RolloutOutOfRange_Throws(int rollout)
    {
        var release = NewRelease("1.0.0");
        release.Rollout = rollout;

        Assert.Throws<ValidationException>(release.Validate);
    }

    [Fact]
    public void Validate_GoodRelease_Passes()
    {
        var release = NewRelease("1.0.0-beta.1+exp.sha.5114f85");

        release.Validate();

        Assert.Equal("1.0.0-beta.1+exp.sha.5114f85", release.SemVersion.ToString());
    }

    internal static Release NewRelease(string version, DateTimeOffset? created = null, string productId = "P1") => new()
    {
        Id = Guid.NewGuid().ToString("N"),
        ProductId = productId,
        Version = version,
        Url = $"https://updates.example.com/{version}.bin",
        Checksum = new string('a', 64),
        Created = created ?? new DateTimeOffset(2026, 1, 1, 0, 0, 0, TimeSpan.Zero),
    };
}
