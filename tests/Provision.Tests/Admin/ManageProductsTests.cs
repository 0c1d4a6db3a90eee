using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Provision.Core;
using Provision.Core.Devices;
using Provision.Core.Products;
using Provision.Core.Security;
using Provision.Tests.Infrastructure;

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

    private static HttpRequest Patch(string body) => HttpResults.Request("PATCH", body, Admin);

    [Fact]
    public async Task UpdateProduct_StrictReregistrationAndAccounts_StoredAndShown()
    {
        var (id, _) = await CreateProductAsync();

        var response = await Run(Products.UpdateProduct(Patch("""{"reregistration":"token","autoClaimAccounts":["ACME","ACME","beta-2"]}"""), id, CancellationToken.None));

        Assert.Equal(StatusCodes.Status200OK, response.Status);
        Assert.Equal("token", response.Json.GetProperty("reregistration").GetString());
        var stored = (await ProductStore.GetAsync(id))!;
        Assert.Equal((ReregistrationMode.Token, "ACME,beta-2"), (stored.Reregistration, string.Join(",", stored.AutoClaimAccounts)));
    }

    [Fact]
    public async Task UpdateProduct_NewProduct_DefaultsToIotoWithNoAutoClaim()
    {
        var (id, _) = await CreateProductAsync();

        var response = await Run(Products.GetProduct(Get(), id, CancellationToken.None));

        Assert.Equal(("ioto", 0), (response.Json.GetProperty("reregistration").GetString(), response.Json.GetProperty("autoClaimAccounts").GetArrayLength()));
    }

    [Fact]
    public async Task UpdateProduct_StrictMode_ProductTokenAloneNoLongerRegistersAgain()
    {
        var (id, productToken) = await CreateProductAsync();
        var registrations = Services.GetRequiredService<IRegistrationService>();
        await registrations.RegisterAsync($"Bearer {productToken}", new RegistrationRequest("STRICT0001", id, null));

        await Run(Products.UpdateProduct(Patch("""{"reregistration":"token"}"""), id, CancellationToken.None));

        await Assert.ThrowsAsync<EntityExistsException>(() => registrations.RegisterAsync($"Bearer {productToken}", new RegistrationRequest("STRICT0001", id, null)));
    }

    [Theory]
    [InlineData("""{"reregistration":"sometimes"}""", "\"reregistration\" must be")]
    [InlineData("""{"autoClaimAccounts":"ACME"}""", "must be an array")]
    [InlineData("""{"autoClaimAccounts":["a b"]}""", "auto-claim account id")]
    [InlineData("""{"name":"Renamed","tokenHash":"x"}""", "cannot be changed")]
    public async Task UpdateProduct_BadInput_Returns400AndChangesNothing(string body, string error)
    {
        var (id, _) = await CreateProductAsync();
        var before = (await ProductStore.GetAsync(id))!;

        var response = await Run(Products.UpdateProduct(Patch(body), id, CancellationToken.None));

        AssertProblem(response, StatusCodes.Status400BadRequest, error);
        var after = (await ProductStore.GetAsync(id))!;
        Assert.Equal((before.Name, before.Reregistration, before.AutoClaimAccounts.Count, before.ETag), (after.Name, after.Reregistration, after.AutoClaimAccounts.Count, after.ETag));
    }

    [Fact]
    public async Task UpdateProduct_Unknown_Returns404()
    {
        var response = await Run(Products.UpdateProduct(Patch("""{"reregistration":"token"}"""), "Nope", CancellationToken.None));

        AssertProblem(response, StatusCodes.Status404NotFound, "Nope");
    }
}
