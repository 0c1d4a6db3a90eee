using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Provision.Core.Releases;
using Provision.Tests.Infrastructure;

namespace Provision.Tests.Admin;

public class ManageReleasesTests : ManageTestBase
{
    private async Task<HttpResponseSnapshot> CreateRelease(string productId, string body) =>
        await Run(Releases.CreateRelease(Post(body), productId, CancellationToken.None));

    private async Task<(string ProductId, string ReleaseId)> CreateValidReleaseAsync(string version = "1.2.0")
    {
        var (productId, _) = await CreateProductAsync();
        var response = await CreateRelease(productId, $$"""{"version":"{{version}}","url":"https://updates.example.com/fw.bin","checksum":"{{Checksum}}"}""");
        Assert.Equal(StatusCodes.Status201Created, response.Status);
        return (productId, response.Json.GetProperty("id").GetString()!);
    }

    private static HttpRequest Patch(string body) => HttpResults.Request("PATCH", body, Admin);

    [Fact]
    public async Task CreateRelease_Valid_Returns201AndStoresIt()
    {
        var (productId, _) = await CreateProductAsync();

        var response = await CreateRelease(productId,
            $$"""{"version":"2.0.0-rc.1","url":"https://updates.example.com/fw.bin","checksum":"{{Checksum.ToUpperInvariant()}}","rollout":25,"policy":"region == 'eu'","testOnly":true}""");

        Assert.Equal(StatusCodes.Status201Created, response.Status);
        var stored = await ReleaseStore.GetAsync(productId, response.Json.GetProperty("id").GetString()!);
        Assert.Equal("2.0.0-rc.1", stored!.Version);
        Assert.Equal(Checksum, stored.Checksum);
        Assert.Equal(25, stored.Rollout);
        Assert.Equal("region == 'eu'", stored.Policy);
        Assert.True(stored.TestOnly);
        Assert.Equal(0, response.Json.GetProperty("counters").GetProperty("offered").GetInt32());
    }

    [Theory]
    [InlineData("1.2", "https://updates.example.com/fw.bin", "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa", "SemVer 2.0")]
    [InlineData("1.2.3", "https://updates.example.com/fw.bin", "not-a-sha256", "hex SHA-256")]
    [InlineData("1.2.3", "https://updates.example.com/fw.bin", "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa", "hex SHA-256")]
    [InlineData("1.2.3", "http://updates.example.com/fw.bin", "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa", "https URL")]
    public async Task CreateRelease_InvalidField_Returns400AndStoresNothing(string version, string url, string checksum, string detail)
    {
        var (productId, _) = await CreateProductAsync();

        var response = await CreateRelease(productId, $$"""{"version":"{{version}}","url":"{{url}}","checksum":"{{checksum}}"}""");

        AssertProblem(response, StatusCodes.Status400BadRequest, detail);
        Assert.Empty(await ReleaseStore.ListAsync(productId));
    }

    [Fact]
    public async Task CreateRelease_RolloutAbove100_Returns400()
    {
        var (productId, _) = await CreateProductAsync();

        var response = await CreateRelease(productId, $$"""{"version":"1.0.0","url":"https://x.example.com/a","checksum":"{{Checksum}}","rollout":101}""");

        AssertProblem(response, StatusCodes.Status400BadRequest, "rollout");
    }

    [Fact]
    public async Task CreateRelease_UnknownProduct_Returns404AndStoresNothing()
    {
        var response = await CreateRelease("NoSuchProduct", $$"""{"version":"1.0.0","url":"https://x.example.com/a","checksum":"{{Checksum}}"}""");

        AssertProblem(response, StatusCodes.Status404NotFound, "Product NoSuchProduct does not exist");
        Assert.Empty(await ReleaseStore.ListAsync("NoSuchProduct"));
    }

    [Fact]
    public async Task CreateRelease_SameVersionAgain_Returns409()
    {
        var (productId, _) = await CreateValidReleaseAsync("1.0.0");

        var response = await CreateRelease(productId, $$"""{"version":"1.0.0","url":"https://x.example.com/b","checksum":"{{Checksum}}"}""");

        AssertProblem(response, StatusCodes.Status409Conflict, "1.0.0");
        Assert.Single(await ReleaseStore.ListAsync(productId));
    }

    [Fact]
    public async Task CreateRelease_MalformedJson_Returns400AndStoresNothing()
    {
        var (productId, _) = await CreateProductAsync();

        var response = await CreateRelease(productId, """{"version":"1.0.0",""");

        AssertProblem(response, StatusCodes.Status400BadRequest, "not valid JSON");
        Assert.Empty(await ReleaseStore.ListAsync(productId));
    }

    [Fact]
    public async Task ListReleases_TwoReleases_NewestFirst()
    {
        var (productId, _) = await CreateValidReleaseAsync("1.0.0");
        await CreateRelease(productId, $$"""{"version":"1.10.0","url":"https://x.example.com/b","checksum":"{{Checksum}}"}""");

        var response = await Run(Releases.ListReleases(Get(), productId, CancellationToken.None));

        Assert.Equal(["1.10.0", "1.0.0"], response.Json.GetProperty("items").EnumerateArray().Select(r => r.GetProperty("version").GetString()));
    }

    [Fact]
    public async Task GetRelease_WithReports_ReturnsCounters()
    {
        var (productId, releaseId) = await CreateValidReleaseAsync();
        var reports = Services.GetRequiredService<IUpdateReportStore>();
        await reports.AdmitOfferAsync((await ReleaseStore.GetAsync(productId, releaseId))!, "d1");
        await reports.RecordOutcomeAsync(releaseId, "d2", success: true);
        await reports.RecordOutcomeAsync(releaseId, "d3", success: false);

        var response = await Run(Releases.GetRelease(Get(), productId, releaseId, CancellationToken.None));

        var counters = response.Json.GetProperty("counters");
        Assert.Equal(3, counters.GetProperty("offered").GetInt32());
        Assert.Equal(1, counters.GetProperty("succeeded").GetInt32());
        Assert.Equal(1, counters.GetProperty("failed").GetInt32());
    }

    [Fact]
    public async Task CreateRelease_WithLimits_StoresAndAnswersThem()
    {
        var (productId, _) = await CreateProductAsync();

        var response = await CreateRelease(productId,
            $$"""{"version":"1.0.0","url":"https://updates.example.com/fw.bin","checksum":"{{Checksum}}","maxDevices":500,"maxUpdates":1000,"period":3600}""");

        Assert.Equal(StatusCodes.Status201Created, response.Status);
        Assert.Equal(500, response.Json.GetProperty("maxDevices").GetInt32());
        Assert.Equal(1000, response.Json.GetProperty("maxUpdates").GetInt32());
        Assert.Equal(3600, response.Json.GetProperty("period").GetInt32());
        var stored = await ReleaseStore.GetAsync(productId, response.Json.GetProperty("id").GetString()!);
        Assert.Equal((500, 1000, 3600), (stored!.MaxDevices, stored.MaxUpdates, stored.Period));
    }

    [Theory]
    [InlineData("\"maxDevices\":0", "maxDevices must be at least 1")]
    [InlineData("\"maxUpdates\":-5", "maxUpdates must be at least 1")]
    [InlineData("\"maxUpdates\":10,\"period\":5", "period must be from 60")]
    [InlineData("\"maxDevices\":\"many\"", "\"maxDevices\" must be a whole number")]
    [InlineData("\"policy\":\"\\\"x\\\".repeat(2**28).length > 0\"", "Release policy may not call 'repeat'")]
    [InlineData("\"policy\":\"new ArrayBuffer(2**30)\"", "Release policy may not use 'new'")]
    public async Task CreateRelease_BadLimitOrUnboundedPolicy_Returns400NamingTheRule(string field, string detail)
    {
        var (productId, _) = await CreateProductAsync();

        var response = await CreateRelease(productId, $$"""{"version":"1.0.0","url":"https://updates.example.com/fw.bin","checksum":"{{Checksum}}",{{field}}}""");

        AssertProblem(response, StatusCodes.Status400BadRequest, detail);
        Assert.Empty(await ReleaseStore.ListAsync(productId));
    }

    [Fact]
    public async Task UpdateRelease_Limits_SetThenClearedWithNull()
    {
        var (productId, releaseId) = await CreateValidReleaseAsync();

        var set = await Run(Releases.UpdateRelease(Patch("""{"maxDevices":10,"maxUpdates":2,"period":60}"""), productId, releaseId, CancellationToken.None));
        var cleared = await Run(Releases.UpdateRelease(Patch("""{"maxDevices":null}"""), productId, releaseId, CancellationToken.None));

        Assert.Equal(StatusCodes.Status200OK, set.Status);
        Assert.Equal(10, set.Json.GetProperty("maxDevices").GetInt32());
        var stored = await ReleaseStore.GetAsync(productId, releaseId);
        Assert.Equal(((int?)null, (int?)2, (int?)60), (stored!.MaxDevices, stored.MaxUpdates, stored.Period));
        Assert.False(cleared.Json.TryGetProperty("maxDevices", out _));
    }

    [Fact]
    public async Task GetRelease_Unknown_Returns404()
    {
        var (productId, _) = await CreateProductAsync();

        var response = await Run(Releases.GetRelease(Get(), productId, "nope", CancellationToken.None));

        AssertProblem(response, StatusCodes.Status404NotFound, "Release nope");
    }

    [Fact]
    public async Task UpdateRelease_PolicyAndRollout_StoresBoth()
    {
        var (productId, releaseId) = await CreateValidReleaseAsync();

        var response = await Run(Releases.UpdateRelease(Patch("""{"policy":"model == 'X'","rollout":10}"""), productId, releaseId, CancellationToken.None));

        Assert.Equal(StatusCodes.Status200OK, response.Status);
        var stored = await ReleaseStore.GetAsync(productId, releaseId);
        Assert.Equal("model == 'X'", stored!.Policy);
        Assert.Equal(10, stored.Rollout);
    }

    [Fact]
    public async Task UpdateRelease_NullPolicy_ClearsIt()
    {
        var (productId, releaseId) = await CreateValidReleaseAsync();
        await Run(Releases.UpdateRelease(Patch("""{"policy":"model == 'X'"}"""), productId, releaseId, CancellationToken.None));

        await Run(Releases.UpdateRelease(Patch("""{"policy":null}"""), productId, releaseId, CancellationToken.None));

        Assert.Null((await ReleaseStore.GetAsync(productId, releaseId))!.Policy);
    }

    [Fact]
    public async Task UpdateRelease_RolloutOutOfRange_Returns400AndLeavesItUnchanged()
    {
        var (productId, releaseId) = await CreateValidReleaseAsync();

        var response = await Run(Releases.UpdateRelease(Patch("""{"rollout":150}"""), productId, releaseId, CancellationToken.None));

        AssertProblem(response, StatusCodes.Status400BadRequest, "rollout");
        Assert.Equal(100, (await ReleaseStore.GetAsync(productId, releaseId))!.Rollout);
    }

    [Fact]
    public async Task UpdateRelease_Version_Returns400AndLeavesItUnchanged()
    {
        var (productId, releaseId) = await CreateValidReleaseAsync("1.2.0");

        var response = await Run(Releases.UpdateRelease(Patch("""{"version":"9.9.9"}"""), productId, releaseId, CancellationToken.None));

        AssertProblem(response, StatusCodes.Status400BadRequest, "\"version\" cannot be changed");
        Assert.Equal("1.2.0", (await ReleaseStore.GetAsync(productId, releaseId))!.Version);
    }

    [Fact]
    public async Task DisableRelease_Enabled_StoresDisabled()
    {
        var (productId, releaseId) = await CreateValidReleaseAsync();

        var response = await Run(Releases.DisableRelease(Post(), productId, releaseId, CancellationToken.None));

        Assert.False(response.Json.GetProperty("enabled").GetBoolean());
        Assert.False((await ReleaseStore.GetAsync(productId, releaseId))!.Enabled);
    }

    [Fact]
    public async Task EnableRelease_Disabled_StoresEnabled()
    {
        var (productId, releaseId) = await CreateValidReleaseAsync();
        await Run(Releases.DisableRelease(Post(), productId, releaseId, CancellationToken.None));

        await Run(Releases.EnableRelease(Post(), productId, releaseId, CancellationToken.None));

        Assert.True((await ReleaseStore.GetAsync(productId, releaseId))!.Enabled);
    }

    [Fact]
    public async Task DeleteRelease_Existing_Returns204AndRemovesIt()
    {
        var (productId, releaseId) = await CreateValidReleaseAsync();

        var response = await Run(Releases.DeleteRelease(HttpResults.Request("DELETE", authorization: Admin), productId, releaseId, CancellationToken.None));

        Assert.Equal(StatusCodes.Status204NoContent, response.Status);
        Assert.Null(await ReleaseStore.GetAsync(productId, releaseId));
    }

    [Fact]
    public async Task DeleteRelease_Unknown_Returns404()
    {
        var (productId, _) = await CreateProductAsync();

        var response = await Run(Releases.DeleteRelease(HttpResults.Request("DELETE", authorization: Admin), productId, "nope", CancellationToken.None));

        AssertProblem(response, StatusCodes.Status404NotFound, "nope");
    }
}
