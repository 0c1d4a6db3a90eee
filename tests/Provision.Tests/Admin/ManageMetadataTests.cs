using Provision.Tests.Functions;

namespace Provision.Tests.Admin;

/// <summary>The management routes as the Functions host reads them from functions.metadata.</summary>
public class ManageMetadataTests
{
    [Theory]
    [InlineData("CreateAdminKey", "post", "manage/keys")]
    [InlineData("ListAdminKeys", "get", "manage/keys")]
    [InlineData("RevokeAdminKey", "delete", "manage/keys/{keyId}")]
    [InlineData("CreateProduct", "post", "manage/products")]
    [InlineData("ListProducts", "get", "manage/products")]
    [InlineData("GetProduct", "get", "manage/products/{productId}")]
    [InlineData("RotateProductToken", "post", "manage/products/{productId}/token")]
    [InlineData("UpdateProduct", "patch", "manage/products/{productId}")]
    [InlineData("CreateDevice", "post", "manage/products/{productId}/devices")]
    [InlineData("ListDevices", "get", "manage/products/{productId}/devices")]
    [InlineData("ImportDevices", "post", "manage/products/{productId}/devices/import")]
    [InlineData("GetDevice", "get", "manage/devices/{deviceId}")]
    [InlineData("DeleteDevice", "delete", "manage/devices/{deviceId}")]
    [InlineData("ClaimDevice", "post", "manage/devices/{deviceId}/claim")]
    [InlineData("ReleaseDevice", "post", "manage/devices/{deviceId}/release")]
    [InlineData("RetryDevice", "post", "manage/devices/{deviceId}/retry")]
    [InlineData("RotateDeviceToken", "post", "manage/devices/{deviceId}/token")]
    [InlineData("DeviceAudit", "get", "manage/devices/{deviceId}/audit")]
    [InlineData("ProductAudit", "get", "manage/products/{productId}/audit")]
    [InlineData("CreateRelease", "post", "manage/products/{productId}/releases")]
    [InlineData("ListReleases", "get", "manage/products/{productId}/releases")]
    [InlineData("GetRelease", "get", "manage/products/{productId}/releases/{releaseId}")]
    [InlineData("UpdateRelease", "patch", "manage/products/{productId}/releases/{releaseId}")]
    [InlineData("DeleteRelease", "delete", "manage/products/{productId}/releases/{releaseId}")]
    [InlineData("EnableRelease", "post", "manage/products/{productId}/releases/{releaseId}/enable")]
    [InlineData("DisableRelease", "post", "manage/products/{productId}/releases/{releaseId}/disable")]
    public void Metadata_ManageFunction_HasAnonymousHttpTriggerWithMethodAndRoute(string name, string method, string route)
    {
        var binding = HttpTrigger(FunctionsMetadataTests.Functions().Single(f => f.GetProperty("name").GetString() == name));

        Assert.Equal(route, binding.GetProperty("route").GetString());
        Assert.Equal([method], binding.GetProperty("methods").EnumerateArray().Select(m => m.GetString()));
        Assert.Equal("anonymous", binding.GetProperty("authLevel").GetString(), ignoreCase: true);
    }

    [Fact]
    public void Metadata_EveryRoute_AvoidsTheHostsReservedPrefixes()
    {
        var routes = FunctionsMetadataTests.Functions()
            .Select(f => f.GetProperty("bindings").EnumerateArray().FirstOrDefault(b => b.GetProperty("type").GetString() == "httpTrigger"))
            .Where(b => b.ValueKind != System.Text.Json.JsonValueKind.Undefined)
            .Select(b => b.GetProperty("route").GetString()!)
            .ToList();

        Assert.NotEmpty(routes);
        Assert.All(routes, r => Assert.False(
            r.StartsWith("admin", StringComparison.OrdinalIgnoreCase) || r.StartsWith("runtime", StringComparison.OrdinalIgnoreCase),
            $"Route {r} starts with a prefix the Functions host reserves."));
    }

    private static System.Text.Json.JsonElement HttpTrigger(System.Text.Json.JsonElement function) =>
        function.GetProperty("bindings").EnumerateArray().Single(b => b.GetProperty("type").GetString() == "httpTrigger");
}
