using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Provision.Core;
using Provision.Core.Devices;
using Provision.Tests.Infrastructure;

namespace Provision.Tests.Admin;

public class ManageDevicesTests : ManageTestBase
{
    private IDeviceAuthenticator Authenticator => Services.GetRequiredService<IDeviceAuthenticator>();

    [Fact]
    public async Task CreateDevice_NoId_GeneratesBase32ClaimIdAndWorkingToken()
    {
        var (productId, _) = await CreateProductAsync();

        var (id, token) = await CreateDeviceAsync(productId);

        Assert.Matches("^[A-Z2-7]{10,}$", id);
        var device = await Authenticator.AuthenticateAsync("Bearer " + token, id);
        Assert.Equal(productId, device.ProductId);
        Assert.Equal(DeviceState.Registered, device.State);
    }

    [Fact]
    public async Task CreateDevice_GivenId_UsesIt()
    {
        var (productId, _) = await CreateProductAsync();

        var (id, _) = await CreateDeviceAsync(productId, "sensor-01");

        Assert.Equal("sensor-01", id);
        Assert.NotNull(await DeviceStore.GetAsync("sensor-01"));
    }

    [Fact]
    public async Task CreateDevice_UnknownProduct_Returns404AndWritesNothing()
    {
        var response = await Run(Devices.CreateDevice(Post("""{"id":"orphan-1"}"""), "NoSuchProduct", CancellationToken.None));

        AssertProblem(response, StatusCodes.Status404NotFound, "Product NoSuchProduct does not exist");
        Assert.Null(await DeviceStore.GetAsync("orphan-1"));
    }

    [Fact]
    public async Task CreateDevice_InvalidId_Returns400()
    {
        var (productId, _) = await CreateProductAsync();

        var response = await Run(Devices.CreateDevice(Post("""{"id":"has space"}"""), productId, CancellationToken.None));

        AssertProblem(response, StatusCodes.Status400BadRequest, "device id");
    }

    [Theory]
    [InlineData("+")]
    [InlineData("$aws")]
    [InlineData("all")]
    [InlineData("Account")]
    public async Task CreateDevice_WildcardOrReservedId_Returns400NamingTheRule(string id)
    {
        var (productId, _) = await CreateProductAsync();

        var response = await Run(Devices.CreateDevice(Post($$"""{"id":"{{id}}"}"""), productId, CancellationToken.None));

        AssertProblem(response, StatusCodes.Status400BadRequest, "not a reserved word");
        Assert.Null(await DeviceStore.GetAsync(id));
    }

    [Fact]
    public async Task CreateDevice_ExistingId_Returns409()
    {
        var (productId, _) = await CreateProductAsync();
        await CreateDeviceAsync(productId, "dup-1");

        var response = await Run(Devices.CreateDevice(Post("""{"id":"dup-1"}"""), productId, CancellationToken.None));

        AssertProblem(response, StatusCodes.Status409Conflict, "dup-1");
    }

    [Fact]
    public async Task GetDevice_Existing_ReturnsStateWithoutSecrets()
    {
        var (productId, _) = await CreateProductAsync();
        var (id, token) = await CreateDeviceAsync(productId);

        var response = await Run(Devices.GetDevice(Get(), id, CancellationToken.None));

        Assert.Equal(StatusCodes.Status200OK, response.Status);
        Assert.Equal("Registered", response.Json.GetProperty("state").GetString());
        Assert.DoesNotContain(token, response.Text);
        Assert.DoesNotContain("tokenHash", response.Text, StringComparison.OrdinalIgnoreCase);
    }

    [Fact]
    public async Task GetDevice_Unknown_Returns404()
    {
        var response = await Run(Devices.GetDevice(Get(), "ghost", CancellationToken.None));

        AssertProblem(response, StatusCodes.Status404NotFound, "Device ghost does not exist");
    }

    [Fact]
    public async Task ListDevices_ByState_ReturnsOnlyThatState()
    {
        var (productId, _) = await CreateProductAsync();
        await CreateDeviceAsync(productId, "reg-1");
        await CreateDeviceAsync(productId, "claimed-1");
        await Run(Devices.ClaimDevice(Post("""{"accountId":"acme"}"""), "claimed-1", CancellationToken.None));

        var response = await Run(Devices.ListDevices(Get("?state=claimed"), productId, CancellationToken.None));

        var item = Assert.Single(response.Json.GetProperty("items").EnumerateArray());
        Assert.Equal("claimed-1", item.GetProperty("id").GetString());
    }

    [Fact]
    public async Task ListDevices_PageSizeTwo_PagesThroughAll()
    {
        var (productId, _) = await CreateProductAsync();
        for (var i = 0; i < 3; i++)
        {
            await CreateDeviceAsync(productId);
        }

        var first = await Run(Devices.ListDevices(Get("?pageSize=2"), productId, CancellationToken.None));
        var next = first.Json.GetProperty("continuationToken").GetString()!;
        var second = await Run(Devices.ListDevices(Get("?pageSize=2&continuationToken=" + Uri.EscapeDataString(next)), productId, CancellationToken.None));

        Assert.Equal(2, first.Json.GetProperty("items").GetArrayLength());
        Assert.Equal(1, second.Json.GetProperty("items").GetArrayLength());
    }

    [Fact]
    public async Task ListDevices_UnknownState_Returns400()
    {
        var (productId, _) = await CreateProductAsync();

        var response = await Run(Devices.ListDevices(Get("?state=asleep"), productId, CancellationToken.None));

        AssertProblem(response, StatusCodes.Status400BadRequest, "state must be one of");
    }

    [Fact]
    public async Task ListDevices_UnknownProduct_Returns404()
    {
        var response = await Run(Devices.ListDevices(Get(), "NoSuchProduct", CancellationToken.None));

        AssertProblem(response, StatusCodes.Status404NotFound, "NoSuchProduct");
    }

    [Fact]
    public async Task ClaimDevice_Registered_BecomesClaimedByTheAccount()
    {
        var (productId, _) = await CreateProductAsync();
        var (id, _) = await CreateDeviceAsync(productId);

        var response = await Run(Devices.ClaimDevice(Post("""{"accountId":"acme"}"""), id, CancellationToken.None));

        Assert.Equal(StatusCodes.Status200OK, response.Status);
        var stored = await DeviceStore.GetAsync(id);
        Assert.Equal(DeviceState.Claimed, stored!.State);
        Assert.Equal("acme", stored.AccountId);
    }

    [Fact]
    public async Task ClaimDevice_InvalidAccount_Returns400AndLeavesDeviceRegistered()
    {
        var (productId, _) = await CreateProductAsync();
        var (id, _) = await CreateDeviceAsync(productId);

        var response = await Run(Devices.ClaimDevice(Post("""{"accountId":"a/b"}"""), id, CancellationToken.None));

        AssertProblem(response, StatusCodes.Status400BadRequest, "account id");
        Assert.Equal(DeviceState.Registered, (await DeviceStore.GetAsync(id))!.State);
    }

    [Fact]
    public async Task RetryDevice_Failed_BecomesClaimed()
    {
        var (productId, _) = await CreateProductAsync();
        var (id, _) = await CreateDeviceAsync(productId);
        var device = await DeviceStore.GetAsync(id);
        device!.AccountId = "acme";
        device.MoveTo(DeviceState.Claimed);
        device.MoveTo(DeviceState.Failed);
        device.FailureReason = "AWS said no";
        await DeviceStore.UpdateAsync(device);

        var response = await Run(Devices.RetryDevice(Post(), id, CancellationToken.None));

        Assert.Equal("Claimed", response.Json.GetProperty("state").GetString());
        Assert.Null((await DeviceStore.GetAsync(id))!.FailureReason);
    }

    [Fact]
    public async Task RetryDevice_NotFailed_Returns400()
    {
        var (productId, _) = await CreateProductAsync();
        var (id, _) = await CreateDeviceAsync(productId);

        var response = await Run(Devices.RetryDevice(Post(), id, CancellationToken.None));

        AssertProblem(response, StatusCodes.Status400BadRequest, "only a Failed device can be retried");
    }

    [Fact]
    public async Task RotateDeviceToken_Existing_NewTokenWorksOldTokenFails()
    {
        var (productId, _) = await CreateProductAsync();
        var (id, oldToken) = await CreateDeviceAsync(productId);

        var response = await Run(Devices.RotateDeviceToken(Post(), id, CancellationToken.None));

        var newToken = response.Json.GetProperty("token").GetString()!;
        Assert.Equal(id, (await Authenticator.AuthenticateAsync("Bearer " + newToken, id)).Id);
        await Assert.ThrowsAsync<AuthenticationFailedException>(() => Authenticator.AuthenticateAsync("Bearer " + oldToken, id));
    }

    [Fact]
    public async Task DeleteDevice_Registered_Returns204AndRemovesDeviceAndToken()
    {
        var (productId, _) = await CreateProductAsync();
        var (id, token) = await CreateDeviceAsync(productId);

        var response = await Run(Devices.DeleteDevice(HttpResults.Request("DELETE", authorization: Admin), id, CancellationToken.None));

        Assert.Equal(StatusCodes.Status204NoContent, response.Status);
        Assert.Null(await DeviceStore.GetAsync(id));
        await Assert.ThrowsAsync<AuthenticationFailedException>(() => Authenticator.AuthenticateAsync("Bearer " + token, null));
    }

    [Fact]
    public async Task DeleteDevice_Unknown_Returns404()
    {
        var response = await Run(Devices.DeleteDevice(HttpResults.Request("DELETE", authorization: Admin), "ghost", CancellationToken.None));

        AssertProblem(response, StatusCodes.Status404NotFound, "ghost");
    }
}
