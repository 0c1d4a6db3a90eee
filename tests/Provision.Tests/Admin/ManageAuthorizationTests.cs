using Microsoft.AspNetCore.Http;
using Provision.Tests.Infrastructure;

namespace Provision.Tests.Admin;

public class ManageAuthorizationTests : ManageTestBase
{
    [Fact]
    public async Task ListProducts_NoKey_Returns401ProblemWithBearerChallenge()
    {
        var response = await Run(Products.ListProducts(Get(authorization: null), CancellationToken.None));

        AssertProblem(response, StatusCodes.Status401Unauthorized, "admin API key");
        Assert.Equal("Bearer", response.Headers.WWWAuthenticate.ToString());
    }

    [Fact]
    public async Task ListProducts_WrongKey_Returns401()
    {
        var response = await Run(Products.ListProducts(Get(authorization: "Bearer " + TestHost.BootstrapKey + "x"), CancellationToken.None));

        AssertProblem(response, StatusCodes.Status401Unauthorized, "admin API key");
    }

    [Fact]
    public async Task CreateProduct_DeviceToken_Returns401AndWritesNothing()
    {
        var (productId, _) = await CreateProductAsync();
        var (_, deviceToken) = await CreateDeviceAsync(productId);

        var response = await Run(Products.CreateProduct(Post("""{"id":"Intruder","name":"x"}""", "Bearer " + deviceToken), CancellationToken.None));

        AssertProblem(response, StatusCodes.Status401Unauthorized, "admin API key");
        Assert.Null(await ProductStore.GetAsync("Intruder"));
    }

    [Fact]
    public async Task ListDevices_ProductToken_Returns401()
    {
        var (productId, productToken) = await CreateProductAsync();

        var response = await Run(Devices.ListDevices(Get(authorization: "Bearer " + productToken), productId, CancellationToken.None));

        AssertProblem(response, StatusCodes.Status401Unauthorized, "admin API key");
    }

    [Fact]
    public async Task ListProducts_CreatedAdminKey_Returns200()
    {
        var created = await Run(Keys.CreateAdminKey(Post("""{"name":"ci"}"""), CancellationToken.None));
        var key = created.Json.GetProperty("key").GetString();

        var response = await Run(Products.ListProducts(Get(authorization: "Bearer " + key), CancellationToken.None));

        Assert.Equal(StatusCodes.Status200OK, response.Status);
    }

    [Fact]
    public async Task ListProducts_RevokedAdminKey_Returns401()
    {
        var created = await Run(Keys.CreateAdminKey(Post("""{"name":"ci"}"""), CancellationToken.None));
        var id = created.Json.GetProperty("id").GetString()!;
        var key = created.Json.GetProperty("key").GetString();
        Assert.Equal(StatusCodes.Status204NoContent, (await Run(Keys.RevokeAdminKey(HttpResults.Request("DELETE", authorization: Admin), id, CancellationToken.None))).Status);

        var response = await Run(Products.ListProducts(Get(authorization: "Bearer " + key), CancellationToken.None));

        AssertProblem(response, StatusCodes.Status401Unauthorized, "admin API key");
    }

    [Fact]
    public async Task ListProducts_AdminKeyWithAlteredSecret_Returns401()
    {
        var created = await Run(Keys.CreateAdminKey(Post("""{"name":"ci"}"""), CancellationToken.None));
        var key = created.Json.GetProperty("key").GetString()!;
        var altered = key[..^1] + (key[^1] == 'A' ? 'B' : 'A');

        var response = await Run(Products.ListProducts(Get(authorization: "Bearer " + altered), CancellationToken.None));

        AssertProblem(response, StatusCodes.Status401Unauthorized, "admin API key");
    }
}
