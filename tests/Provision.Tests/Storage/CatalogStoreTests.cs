using Provision.Core;
using Provision.Core.Products;
using Provision.Tests.Domain;

namespace Provision.Tests.Storage;

public class ReleaseStoreTests : StorageTestBase
{
    private readonly string _product = "P" + Guid.NewGuid().ToString("N")[..8];

    [Fact]
    public async Task List_SeveralReleases_NewestFirstBySemVer()
    {
        foreach (var version in new[] { "1.0.0", "1.10.0-beta.1", "1.2.0", "1.10.0", "1.0.0-rc.1" })
        {
            await Releases.AddAsync(ReleaseTests.NewRelease(version, productId: _product));
        }
        await Releases.AddAsync(ReleaseTests.NewRelease("9.9.9", productId: "OTHER" + _product));

        var list = await Releases.ListAsync(_product);

        Assert.Equal(new[] { "1.10.0", "1.10.0-beta.1", "1.2.0", "1.0.0", "1.0.0-rc.1" }, list.Select(r => r.Version));
    }

    [Fact]
    public async Task AddThenGet_AllFields_RoundTrip()
    {
        var release = ReleaseTests.NewRelease("2.1.0", productId: _product);
        release.TestOnly = true;
        release.Policy = "pro == true";
        release.Rollout = 25;
        await Releases.AddAsync(release);

        var read = await Releases.GetAsync(_product, release.Id);

        Assert.NotNull(read);
        Assert.Equal("2.1.0", read.Version);
        Assert.Equal(release.Url, read.Url);
        Assert.Equal(release.Checksum, read.Checksum);
        Assert.True(read.TestOnly);
        Assert.Equal("pro == true", read.Policy);
        Assert.Equal(25, read.Rollout);
        Assert.True(read.Enabled);
    }

    [Fact]
    public async Task Add_SameVersionTwice_ThrowsEntityExists()
    {
        await Releases.AddAsync(ReleaseTests.NewRelease("1.0.0", productId: _product));

        await Assert.ThrowsAsync<EntityExistsException>(() => Releases.AddAsync(ReleaseTests.NewRelease("1.0.0+other", productId: _product)));
        Assert.Single(await Releases.ListAsync(_product));
    }

    [Fact]
    public async Task Add_InvalidRelease_ThrowsAndStoresNothing()
    {
        var release = ReleaseTests.NewRelease("1.0", productId: _product);

        await Assert.ThrowsAsync<ValidationException>(() => Releases.AddAsync(release));
        Assert.Empty(await Releases.ListAsync(_product));
    }

    [Fact]
    public async Task SetEnabled_Disable_PersistsFlag()
    {
        var release = await Releases.AddAsync(ReleaseTests.NewRelease("1.0.0", productId: _product));

        await Releases.SetEnabledAsync(_product, release.Id, enabled: false);

        Assert.False((await Releases.GetAsync(_product, release.Id))!.Enabled);
    }

    [Fact]
    public async Task SetEnabled_MissingRelease_ThrowsNotFound() =>
        await Assert.ThrowsAsync<EntityNotFoundException>(() => Releases.SetEnabledAsync(_product, "nope", true));

    [Fact]
    public async Task Delete_ExistingRelease_RemovesIt()
    {
        var release = await Releases.AddAsync(ReleaseTests.NewRelease("1.0.0", productId: _product));

        await Releases.DeleteAsync(_product, release.Id);

        Assert.Null(await Releases.GetAsync(_product, release.Id));
    }

    [Fact]
    public async Task Delete_MissingRelease_ThrowsNotFound() =>
        await Assert.ThrowsAsync<EntityNotFoundException>(() => Releases.DeleteAsync(_product, "nope"));

    [Fact]
    public async Task Update_StaleETag_ThrowsConcurrency()
    {
        var release = await Releases.AddAsync(ReleaseTests.NewRelease("1.0.0", productId: _product));
        var stale = (await Releases.GetAsync(_product, release.Id))!;
        await Releases.SetEnabledAsync(_product, release.Id, false);

        stale.Rollout = 10;

        await Assert.ThrowsAsync<ConcurrencyException>(() => Releases.UpdateAsync(stale));
    }
}

public class ProductStoreTests : StorageTestBase
{
    [Fact]
    public async Task CreateThenGet_RoundTrip()
    {
        var product = NewProduct();
        product.PolicyName = "CustomPolicy";
        await Products.CreateAsync(product);

        var read = await Products.GetAsync(product.Id);

        Assert.NotNull(read);
        Assert.Equal(product.Name, read.Name);
        Assert.Equal(product.TokenHash, read.TokenHash);
        Assert.Equal("CustomPolicy", read.PolicyName);
    }

    [Fact]
    public async Task Get_Missing_ReturnsNull() => Assert.Null(await Products.GetAsync("nope"));

    [Fact]
    public async Task Create_Duplicate_ThrowsEntityExists()
    {
        var product = await Products.CreateAsync(NewProduct());

        await Assert.ThrowsAsync<EntityExistsException>(() => Products.CreateAsync(NewProduct(product.Id)));
    }

    [Fact]
    public async Task Update_ChangesTokenHash()
    {
        var product = await Products.CreateAsync(NewProduct());
        var read = (await Products.GetAsync(product.Id))!;
        read.TokenHash = new string('b', 64);

        await Products.UpdateAsync(read);

        Assert.Equal(new string('b', 64), (await Products.GetAsync(product.Id))!.TokenHash);
    }

    [Fact]
    public async Task List_MoreThanOnePage_ReturnsEveryProduct()
    {
        var ids = new List<string>();
        for (var i = 0; i < 5; i++)
        {
            ids.Add((await Products.CreateAsync(NewProduct())).Id);
        }

        var seen = new List<string>();
        string? token = null;
        do
        {
            var page = await Products.ListAsync(2, token);
            seen.AddRange(page.Items.Select(p => p.Id));
            token = page.ContinuationToken;
        }
        while (token is not null);

        Assert.Equal(ids.Order(), seen.Order());
    }

    private static Product NewProduct(string? id = null) => new()
    {
        Id = id ?? "P" + Guid.NewGuid().ToString("N")[..8],
        Name = "Thermostat",
        TokenHash = new string('a', 64),
        Created = DateTimeOffset.UtcNow,
    };
}
