using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Provision.Core.Admin;
using Provision.Tests.Infrastructure;

namespace Provision.Tests.Admin;

/// <summary>
/// Admin key scopes: read (every GET), devices, releases, admin (everything; the only one that mints keys,
/// products and product tokens). The bootstrap key is admin.
/// </summary>
public class ManageScopeTests : ManageTestBase
{
    [Fact]
    public async Task CreateAdminKey_DevicesScopedKey_Returns403AndMintsNothing()
    {
        var devicesKey = await KeyAsync("devices");

        var response = await Run(Keys.CreateAdminKey(Post("""{"name":"escalate","scopes":["admin"]}""", devicesKey), CancellationToken.None));

        AssertProblem(response, StatusCodes.Status403Forbidden, "needs 'admin'");
        Assert.Single(await Services.GetRequiredService<IAdminKeyStore>().ListAsync());
    }

    [Fact]
    public async Task CreateAdminKey_AdminScopedKey_Returns201()
    {
        var adminKey = await KeyAsync("admin");

        var response = await Run(Keys.CreateAdminKey(Post("""{"name":"ci","scopes":["releases"]}""", adminKey), CancellationToken.None));

        Assert.Equal(StatusCodes.Status201Created, response.Status);
        Assert.Equal(["releases"], response.Json.GetProperty("scopes").EnumerateArray().Select(s => s.GetString()));
    }

    [Fact]
    public async Task CreateAdminKey_NoScopes_GetsReadOnly()
    {
        var response = await Run(Keys.CreateAdminKey(Post("""{"name":"dashboard"}"""), CancellationToken.None));

        Assert.Equal(["read"], response.Json.GetProperty("scopes").EnumerateArray().Select(s => s.GetString()));
    }

    [Fact]
    public async Task CreateAdminKey_UnknownScope_Returns400NamingTheScopes()
    {
        var response = await Run(Keys.CreateAdminKey(Post("""{"name":"x","scopes":["root"]}"""), CancellationToken.None));

        AssertProblem(response, StatusCodes.Status400BadRequest, "read, devices, releases, admin");
    }

    [Fact]
    public async Task ClaimDevice_ReadKey_Returns403AndDeviceUnchanged()
    {
        var (productId, _) = await CreateProductAsync();
        var (deviceId, _) = await CreateDeviceAsync(productId);
        var readKey = await KeyAsync("read");

        var response = await Run(Devices.ClaimDevice(Post("""{"accountId":"ACME"}""", readKey), deviceId, CancellationToken.None));

        AssertProblem(response, StatusCodes.Status403Forbidden, "needs 'devices'");
        Assert.Null((await DeviceStore.GetAsync(deviceId))!.AccountId);
    }

    [Fact]
    public async Task ClaimDevice_DevicesKey_Returns200()
    {
        var (productId, _) = await CreateProductAsync();
        var (deviceId, _) = await CreateDeviceAsync(productId);

        var response = await Run(Devices.ClaimDevice(Post("""{"accountId":"ACME"}""", await KeyAsync("devices")), deviceId, CancellationToken.None));

        Assert.Equal(StatusCodes.Status200OK, response.Status);
    }

    [Fact]
    public async Task CreateRelease_DevicesKey_Returns403()
    {
        var (productId, _) = await CreateProductAsync();

        var response = await Run(Releases.CreateRelease(
            Post($$"""{"version":"1.0.0","url":"https://example.com/1.bin","checksum":"{{Checksum}}"}""", await KeyAsync("devices")), productId, CancellationToken.None));

        AssertProblem(response, StatusCodes.Status403Forbidden, "needs 'releases'");
    }

    [Fact]
    public async Task CreateRelease_ReleasesKey_Returns201()
    {
        var (productId, _) = await CreateProductAsync();

        var response = await Run(Releases.CreateRelease(
            Post($$"""{"version":"1.0.0","url":"https://example.com/1.bin","checksum":"{{Checksum}}"}""", await KeyAsync("releases")), productId, CancellationToken.None));

        Assert.Equal(StatusCodes.Status201Created, response.Status);
    }

    [Fact]
    public async Task ListDevices_ReleasesKey_ReadsToo()
    {
        var (productId, _) = await CreateProductAsync();

        var response = await Run(Devices.ListDevices(Get(authorization: await KeyAsync("releases")), productId, CancellationToken.None));

        Assert.Equal(StatusCodes.Status200OK, response.Status);
    }

    [Theory]
    [InlineData("devices")]
    [InlineData("releases")]
    public async Task ProductTokens_NonAdminKey_Returns403(string scope)
    {
        var (productId, _) = await CreateProductAsync();
        var key = await KeyAsync(scope);

        AssertProblem(await Run(Products.CreateProduct(Post("""{"id":"PX1","name":"x"}""", key), CancellationToken.None)), StatusCodes.Status403Forbidden, "needs 'admin'");
        AssertProblem(await Run(Products.RotateProductToken(Post(authorization: key), productId, CancellationToken.None)), StatusCodes.Status403Forbidden, "needs 'admin'");
    }

    [Fact]
    public async Task CreateAdminKey_Succeeded_IsAuditedWithTheActingKey()
    {
        var response = await Run(Keys.CreateAdminKey(Post("""{"name":"ops"}"""), CancellationToken.None));
        var id = response.Json.GetProperty("id").GetString()!;

        var entries = await Services.GetRequiredService<IAuditLog>().ListAsync(AuditSubjects.AdminKey(id), 10);

        Assert.Equal(("create", AdminKeyService.BootstrapKeyId), (Assert.Single(entries).Action, entries[0].Actor));
    }

    [Fact]
    public async Task CreateProduct_Succeeded_IsAudited()
    {
        var (productId, _) = await CreateProductAsync();

        var audit = await Run(Products.ProductAudit(Get(), productId, CancellationToken.None));

        Assert.Equal(["create product"], audit.Json.EnumerateArray().Select(e => e.GetProperty("action").GetString()));
    }

    [Fact]
    public async Task RevokeAdminKey_Revoked_StaysListedWithTimeAndAudited()
    {
        var created = await Run(Keys.CreateAdminKey(Post("""{"name":"ops"}"""), CancellationToken.None));
        var id = created.Json.GetProperty("id").GetString()!;

        await Run(Keys.RevokeAdminKey(HttpResults.Request("DELETE", authorization: Admin), id, CancellationToken.None));
        var list = await Run(Keys.ListAdminKeys(Get(), CancellationToken.None));

        var item = Assert.Single(list.Json.GetProperty("items").EnumerateArray());
        Assert.Equal(JsonValueKindString, item.GetProperty("revoked").ValueKind);
        var actions = (await Services.GetRequiredService<IAuditLog>().ListAsync(AuditSubjects.AdminKey(id), 10)).Select(e => e.Action);
        Assert.Equal(["revoke", "create"], actions);
    }

    private const System.Text.Json.JsonValueKind JsonValueKindString = System.Text.Json.JsonValueKind.String;

    private async Task<string> KeyAsync(string scope)
    {
        var response = await Run(Keys.CreateAdminKey(Post($$"""{"name":"{{scope}} key","scopes":["{{scope}}"]}"""), CancellationToken.None));
        Assert.Equal(StatusCodes.Status201Created, response.Status);
        return "Bearer " + response.Json.GetProperty("key").GetString();
    }
}
