using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Provision.Core.Admin;
using Provision.Core.Security;
using Provision.Tests.Infrastructure;

namespace Provision.Tests.Admin;

public class ManageKeysTests : ManageTestBase
{
    [Fact]
    public async Task CreateAdminKey_Named_Returns201WithKeyStoredOnlyAsHash()
    {
        var response = await Run(Keys.CreateAdminKey(Post("""{"name":"deploy pipeline"}"""), CancellationToken.None));

        Assert.Equal(StatusCodes.Status201Created, response.Status);
        var key = response.Json.GetProperty("key").GetString()!;
        var stored = await Services.GetRequiredService<IAdminKeyStore>().GetAsync(response.Json.GetProperty("id").GetString()!);
        Assert.Equal("deploy pipeline", stored!.Name);
        Assert.Equal(Tokens.Hash(key), stored.KeyHash);
    }

    [Fact]
    public async Task ListAdminKeys_AfterCreate_ListsKeyWithoutSecret()
    {
        var created = await Run(Keys.CreateAdminKey(Post("""{"name":"ops"}"""), CancellationToken.None));

        var response = await Run(Keys.ListAdminKeys(Get(), CancellationToken.None));

        var item = Assert.Single(response.Json.GetProperty("items").EnumerateArray());
        Assert.Equal(created.Json.GetProperty("id").GetString(), item.GetProperty("id").GetString());
        Assert.False(item.TryGetProperty("key", out _));
        Assert.DoesNotContain(created.Json.GetProperty("key").GetString()!, response.Text);
    }

    [Fact]
    public async Task CreateAdminKey_MissingName_Returns400()
    {
        var response = await Run(Keys.CreateAdminKey(Post("{}"), CancellationToken.None));

        AssertProblem(response, StatusCodes.Status400BadRequest, "\"name\" is required");
    }

    [Fact]
    public async Task RevokeAdminKey_Unknown_Returns404()
    {
        var response = await Run(Keys.RevokeAdminKey(HttpResults.Request("DELETE", authorization: Admin), "abcdefghijkl", CancellationToken.None));

        AssertProblem(response, StatusCodes.Status404NotFound, "abcdefghijkl");
    }

    [Fact]
    public async Task RevokeAdminKey_Bootstrap_Returns400NamingTheSetting()
    {
        var response = await Run(Keys.RevokeAdminKey(HttpResults.Request("DELETE", authorization: Admin), AdminKeyService.BootstrapKeyId, CancellationToken.None));

        AssertProblem(response, StatusCodes.Status400BadRequest, "Admin:BootstrapKey");
    }
}
