using Microsoft.AspNetCore.Http;
using Provision.Core.Security;

namespace Provision.Tests.Admin;

public class ManageProductsTests : ManageTestBase
{
    [Fact]
    public async Task CreateProduct_Valid_Returns201WithTokenStoredOnlyAsHash()
    {
        var response = await Run(Products.CreateProduct(
            Post("""{"id":"Thermo","name":"Thermostat","policyName":"ThermoPolicy","thingType":"thermostat"}"""), CancellationToken.None));

        Assert.Equal(StatusCodes.Status201Created, response.Status);
        var token = response.Json.GetProperty("token").GetString()!;
        var stored = await ProductStore.GetAsync("Thermo");
        Assert.Equal("Thermostat", stored!.Name);
        Assert.Equal("ThermoPolicy", stored.PolicyName);
        Assert.Equal("thermostat", stored.ThingType);
        Assert.Equal(Tokens.Hash(token), stored.TokenHash);
    }

    [Fact]
    public async Task CreateProduct_ExistingId_Returns409()
    {
        var (id, _) = await CreateProductAsync();

        var response = await Run(Products.CreateProduct(Post($$"""{"id":"{{id}}","name":"Again"}"""), CancellationToken.None));

        AssertProblem(response, StatusCodes.Status409Conflict, id);
        Assert.Equal("Test product", (await ProductStore.GetAsync(id))!.Name);
    }

    [Fact]
    public async Task CreateProduct_InvalidId_Returns400AndWritesNothing()
    {
        var response = await Run(Products.CreateProduct(Post("""{"id":"a b","name":"Bad"}"""), CancellationToken.None));

        AssertProblem(response, StatusCodes.Status400BadRequest, "Product id");
        Assert.Empty((await ProductStore.ListAsync(10, null)).Items);
    }

    [Fact]
    public async Task CreateProduct_MalformedJson_Returns400AndWritesNothing()
    {
        var response = await Run(Products.CreateProduct(Post("""{"id":"P1","name":"""), CancellationToken.None));

        AssertProblem(response, StatusCodes.Status400BadRequest, "not valid JSON");
        Assert.Empty((await ProductStore.ListAsync(10, null)).Items);
    }

    [Fact]
    public async Task GetProduct_Existing_ReturnsItWithoutToken()
    {
        var (id, token) = await CreateProductAsync();

        var response = await Run(Products.GetProduct(Get(), id, CancellationToken.None));

        Assert.Equal(StatusCodes.Status200OK, response.Status);
        Assert.Equal(id, response.Json.GetProperty("id").GetString());
        Assert.False(response.Json.TryGetProperty("token", out _));
        Assert.DoesNotContain(token, response.Text);
    }

    [Fact]
    public async Task GetProduct_Unknown_Returns404()
    {
        var response = await Run(Products.GetProduct(Get(), "Nope", CancellationToken.None));

        AssertProblem(response, StatusCodes.Status404NotFound, "Product Nope does not exist");
    }

    [Fact]
    public async Task ListProducts_MoreThanAPage_PagesWithContinuationToken()
    {
        for (var i = 0; i < 3; i++)
        {
            await CreateProductAsync($"P{i}");
        }

        var first = await Run(Products.ListProducts(Get("?pageSize=2"), CancellationToken.None));
        var next = first.Json.GetProperty("continuationToken").GetString();
        var second = await Run(Products.ListProducts(Get("?pageSize=2&continuationToken=" + Uri.EscapeDataString(next!)), CancellationToken.None));

        Assert.Equal(2, first.Json.GetProperty("items").GetArrayLength());
        Assert.Equal(1, second.Json.GetProperty("items").GetArrayLength());
        Assert.False(second.Json.TryGetProperty("continuationToken", out _));
    }

    [Fact]
    public async Task ListProducts_PageSizeNotANumber_Returns400()
    {
        var response = await Run(Products.ListProducts(Get("?pageSize=many"), CancellationToken.None));

        AssertProblem(response, StatusCodes.Status400BadRequest, "pageSize");
    }

    [Fact]
    public async Task RotateProductToken_Existing_ReplacesTheStoredHash()
    {
        var (id, oldToken) = await CreateProductAsync();

        var response = await Run(Products.RotateProductToken(Post(), id, CancellationToken.None));

        var newToken = response.Json.GetProperty("token").GetString()!;
        var stored = await ProductStore.GetAsync(id);
        Assert.True(Tokens.Matches(newToken, stored!.TokenHash));
        Assert.False(Tokens.Matches(oldToken, stored.TokenHash));
    }

    [Fact]
    public async Task RotateProductToken_Unknown_Returns404()
    {
        var response = await Run(Products.RotateProductToken(Post(), "Nope", CancellationToken.None));

        AssertProblem(response, StatusCodes.Status404NotFound, "Nope");
    }
}
