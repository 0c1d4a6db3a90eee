using Provision.Core;
using Provision.Core.Devices;
using Provision.Tests.Infrastructure;

namespace Provision.Tests.Storage;

public class DeviceStoreTests : StorageTestBase
{
    [Fact]
    public async Task CreateThenGet_AllFields_RoundTrip()
    {
        var device = NewDevice();
        device.AccountId = "A1";
        device.Version = "1.2.3";
        device.Properties = """{"pro":true}""";
        device.LastCheckin = new DateTimeOffset(2026, 11, 1, 10, 0, 0, TimeSpan.Zero);
        device.MoveTo(DeviceState.Claimed);
        await Devices.CreateAsync(device);

        var read = await Devices.GetAsync(device.Id);

        Assert.NotNull(read);
        Assert.Equal(device.ProductId, read.ProductId);
        Assert.Equal(DeviceState.Claimed, read.State);
        Assert.Equal("A1", read.AccountId);
        Assert.Equal("1.2.3", read.Version);
        Assert.Equal("""{"pro":true}""", read.Properties);
        Assert.Equal(device.LastCheckin, read.LastCheckin);
        Assert.Equal(device.TokenHash, read.TokenHash);
        Assert.NotNull(read.ETag);
    }

    [Fact]
    public async Task Get_MissingDevice_ReturnsNull() =>
        Assert.Null(await Devices.GetAsync("NO-SUCH-DEVICE"));

    [Fact]
    public async Task Create_ExistingId_ThrowsEntityExists()
    {
        var device = NewDevice();
        await Devices.CreateAsync(device);

        await Assert.ThrowsAsync<EntityExistsException>(() => Devices.CreateAsync(NewDevice(device.Id)));
    }

    [Fact]
    public async Task Update_FreshETag_StoresChangeAndNewETag()
    {
        var device = await Devices.CreateAsync(NewDevice());
        var read = (await Devices.GetAsync(device.Id))!;
        var before = read.ETag;

        read.MoveTo(DeviceState.Claimed);
        read.AccountId = "A9";
        await Devices.UpdateAsync(read);

        var again = (await Devices.GetAsync(device.Id))!;
        Assert.Equal(DeviceState.Claimed, again.State);
        Assert.Equal("A9", again.AccountId);
        Assert.NotEqual(before, again.ETag);
        Assert.Equal(read.ETag, again.ETag);
    }

    [Fact]
    public async Task Update_TwoConcurrentWriters_OneWinsOtherGetsConcurrencyError()
    {
        var device = await Devices.CreateAsync(NewDevice());
        var first = (await Devices.GetAsync(device.Id))!;
        var second = (await Devices.GetAsync(device.Id))!;

        first.AccountId = "winner";
        second.AccountId = "loser";
        var results = await Task.WhenAll(
            Capture(() => Devices.UpdateAsync(first)),
            Capture(() => Devices.UpdateAsync(second)));

        Assert.Single(results, r => r is null);
        Assert.Single(results, r => r is ConcurrencyException);
        var stored = (await Devices.GetAsync(device.Id))!;
        var winner = results[0] is null ? "winner" : "loser";
        Assert.Equal(winner, stored.AccountId);
    }

    [Fact]
    public async Task Update_DeletedDevice_ThrowsNotFound()
    {
        var device = await Devices.CreateAsync(NewDevice());
        var read = (await Devices.GetAsync(device.Id))!;
        await Devices.DeleteAsync(read);

        await Assert.ThrowsAsync<EntityNotFoundException>(() => Devices.UpdateAsync(read));
    }

    [Fact]
    public async Task Delete_StaleETag_ThrowsConcurrencyAndKeepsDevice()
    {
        var device = await Devices.CreateAsync(NewDevice());
        var stale = (await Devices.GetAsync(device.Id))!;
        var fresh = (await Devices.GetAsync(device.Id))!;
        fresh.Version = "2.0.0";
        await Devices.UpdateAsync(fresh);

        await Assert.ThrowsAsync<ConcurrencyException>(() => Devices.DeleteAsync(stale));
        Assert.NotNull(await Devices.GetAsync(device.Id));
    }

    [Fact]
    public async Task ListByProduct_MorePagesThanOne_FollowsContinuationTokensToEveryDevice()
    {
        var product = "P" + Guid.NewGuid().ToString("N")[..8];
        var ids = new HashSet<string>();
        for (var i = 0; i < 7; i++)
        {
            ids.Add((await Devices.CreateAsync(NewDevice(productId: product))).Id);
        }
        await Devices.CreateAsync(NewDevice(productId: "OTHER"));

        var seen = new List<string>();
        string? token = null;
        var pages = 0;
        do
        {
            var page = await Devices.ListByProductAsync(product, pageSize: 3, token);
            Assert.True(page.Items.Count <= 3);
            seen.AddRange(page.Items.Select(d => d.Id));
            token = page.ContinuationToken;
            pages++;
        }
        while (token is not null);

        Assert.True(pages >= 3, $"expected at least 3 pages, got {pages}");
        Assert.Equal(ids.Order(), seen.Order());
    }

    [Theory]
    [InlineData("bad/id")]
    [InlineData("bad#id")]
    [InlineData("bad?id")]
    [InlineData("bad\\id")]
    [InlineData("bad\u0007id")]
    public async Task Operations_InvalidId_RejectedBeforeAnyRequest(string id)
    {
        // Storage that does not answer: a request sent would fail as unavailable, not as invalid input.
        using var offline = TestHost.Build(TestHost.Settings(Azurite.UnreachableConnectionString()));
        var devices = Microsoft.Extensions.DependencyInjection.ServiceProviderServiceExtensions.GetRequiredService<IDeviceStore>(offline);

        await Assert.ThrowsAsync<ValidationException>(() => devices.GetAsync(id));
        await Assert.ThrowsAsync<ValidationException>(() => devices.CreateAsync(NewDevice(id)));
        await Assert.ThrowsAsync<ValidationException>(() => devices.ListByProductAsync(id, 10, null));
    }

    [Fact]
    public async Task Get_StorageUnreachable_ThrowsStorageUnavailable()
    {
        using var offline = TestHost.Build(TestHost.Settings(Azurite.UnreachableConnectionString()));
        var devices = Microsoft.Extensions.DependencyInjection.ServiceProviderServiceExtensions.GetRequiredService<IDeviceStore>(offline);

        await Assert.ThrowsAsync<StorageUnavailableException>(() => devices.GetAsync("D1"));
    }

    private static async Task<Exception?> Capture(Func<Task> action)
    {
        try
        {
            await action();
            return null;
        }
        catch (Exception e)
        {
            return e;
        }
    }
}
