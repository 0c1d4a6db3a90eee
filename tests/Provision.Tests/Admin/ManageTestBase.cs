using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using NSubstitute;
using Provision.Core.Admin;
using Provision.Core.Aws;
using Provision.Core.Devices;
using Provision.Core.Products;
using Provision.Core.Releases;
using Provision.Functions.Functions;
using Provision.Functions.Manage;
using Provision.Tests.Infrastructure;

namespace Provision.Tests.Admin;

/// <summary>The management functions over the app's own container on fresh Azurite tables; AWS IoT is a substitute.</summary>
public abstract class ManageTestBase : IDisposable
{
    protected const string Admin = "Bearer " + TestHost.BootstrapKey;

    protected ManageTestBase()
    {
        var settings = TestHost.Settings();
        Services = TestHost.Build(settings, services => services.AddSingleton(Iot));
        Keys = ActivatorUtilities.CreateInstance<ManageKeysFunction>(Services);
        Products = ActivatorUtilities.CreateInstance<ManageProductsFunction>(Services);
        Devices = ActivatorUtilities.CreateInstance<ManageDevicesFunction>(Services);
        Releases = ActivatorUtilities.CreateInstance<ManageReleasesFunction>(Services);
    }

    protected IIotClient Iot { get; } = Substitute.For<IIotClient>();
    protected ServiceProvider Services { get; }
    protected ManageKeysFunction Keys { get; }
    protected ManageProductsFunction Products { get; }
    protected ManageDevicesFunction Devices { get; }
    protected ManageReleasesFunction Releases { get; }

    protected IDeviceStore DeviceStore => Services.GetRequiredService<IDeviceStore>();
    protected IProductStore ProductStore => Services.GetRequiredService<IProductStore>();
    protected IReleaseStore ReleaseStore => Services.GetRequiredService<IReleaseStore>();

    protected static readonly string Checksum = new('a', 64);

    protected static HttpRequest Post(string? body = null, string? authorization = Admin, string contentType = "application/json") =>
        HttpResults.Request("POST", body, authorization, contentType);

    protected static HttpRequest Get(string? query = null, string? authorization = Admin) =>
        HttpResults.Request("GET", authorization: authorization, query: query);

    protected static Task<HttpResponseSnapshot> Run(Task<IResult> result) => HttpResults.ExecuteAsync(result);

    /// <summary>Creates a product through the API; returns its id and token.</summary>
    protected async Task<(string Id, string Token)> CreateProductAsync(string? id = null)
    {
        id ??= "P" + Guid.NewGuid().ToString("N")[..8];
        var response = await Run(Products.CreateProduct(Post($$"""{"id":"{{id}}","name":"Test product"}"""), CancellationToken.None));
        Assert.Equal(StatusCodes.Status201Created, response.Status);
        return (id, response.Json.GetProperty("token").GetString()!);
    }

    /// <summary>Creates a device through the API; returns its id and token.</summary>
    protected async Task<(string Id, string Token)> CreateDeviceAsync(string productId, string? id = null)
    {
        var body = id is null ? null : $$"""{"id":"{{id}}"}""";
        var response = await Run(Devices.CreateDevice(Post(body), productId, CancellationToken.None));
        Assert.Equal(StatusCodes.Status201Created, response.Status);
        return (response.Json.GetProperty("id").GetString()!, response.Json.GetProperty("token").GetString()!);
    }

    protected static void AssertProblem(HttpResponseSnapshot response, int status, string detailContains)
    {
        Assert.Equal(status, response.Status);
        Assert.Equal("application/problem+json", response.ContentType);
        var problem = response.Json;
        Assert.Equal(status, problem.GetProperty("status").GetInt32());
        Assert.False(string.IsNullOrEmpty(problem.GetProperty("type").GetString()));
        Assert.False(string.IsNullOrEmpty(problem.GetProperty("title").GetString()));
        Assert.Contains(detailContains, problem.GetProperty("detail").GetString());
    }

    public void Dispose()
    {
        Services.Dispose();
        GC.SuppressFinalize(this);
    }
}
