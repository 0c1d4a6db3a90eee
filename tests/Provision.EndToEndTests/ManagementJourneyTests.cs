using System.Net;
using System.Net.Http.Headers;
using Provision.EndToEndTests.Infrastructure;

namespace Provision.EndToEndTests;

[Collection(AppCollection.Name)]
public sealed class ManagementJourneyTests(AppFixture app)
{
    [Fact]
    public async Task ManagementJourney_KeysProductsDevicesReleases_EveryRouteAnswers()
    {
        var key = await app.SendAsync(app.Admin(HttpMethod.Post, "manage/keys", new { name = "e2e operator", scopes = new[] { "admin" } }), 201);
        HttpRequestMessage AsOperator(HttpMethod method, string path, object? body = null)
        {
            var request = app.Admin(method, path, body);
            request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", (string)key["key"]!);
            return request;
        }

        var productId = "m" + Guid.NewGuid().ToString("N")[..10];
        await app.SendAsync(AsOperator(HttpMethod.Post, "manage/products", new { id = productId, name = "Managed" }), 201);
        Assert.Equal(productId, (string)(await app.SendAsync(AsOperator(HttpMethod.Get, $"manage/products/{productId}"), 200))["id"]!);
        await app.SendAsync(AsOperator(HttpMethod.Post, $"manage/products/{productId}/token"), 200);

        var device = await app.SendAsync(AsOperator(HttpMethod.Post, $"manage/products/{productId}/devices", new { id = "sensor-01" }), 201);
        Assert.False(string.IsNullOrEmpty((string)device["token"]!));
        var imported = await app.SendAsync(AsOperator(HttpMethod.Post, $"manage/products/{productId}/devices/import", new[] { "sensor-02", "sensor-03" }), 200);
        Assert.Equal(2, (int)imported["created"]!);
        var listed = await app.SendAsync(AsOperator(HttpMethod.Get, $"manage/products/{productId}/devices?state=Registered"), 200);
        Assert.Equal(3, listed["items"]!.AsArray().Count);

        await app.SendAsync(AsOperator(HttpMethod.Post, "manage/devices/sensor-01/token"), 200);
        await app.SendAsync(AsOperator(HttpMethod.Delete, "manage/devices/sensor-03"), 204);
        await app.SendAsync(AsOperator(HttpMethod.Get, "manage/devices/sensor-03"), 404);

        var release = await app.SendAsync(AsOperator(HttpMethod.Post, $"manage/products/{productId}/releases", new
        {
            version = "2.0.0",
            url = "https://updates.example.com/2.0.0.bin",
            checksum = new string('b', 64),
            rollout = 10,
        }), 201);
        var releasePath = $"manage/products/{productId}/releases/{(string)release["id"]!}";
        Assert.Equal(50, (int)(await app.SendAsync(AsOperator(HttpMethod.Patch, releasePath, new { rollout = 50 }), 200))["rollout"]!);
        await app.SendAsync(AsOperator(HttpMethod.Post, $"{releasePath}/disable"), 200);
        await app.SendAsync(AsOperator(HttpMethod.Post, $"{releasePath}/enable"), 200);
        Assert.Single((await app.SendAsync(AsOperator(HttpMethod.Get, $"manage/products/{productId}/releases"), 200))["items"]!.AsArray());
        await app.SendAsync(AsOperator(HttpMethod.Delete, releasePath), 204);

        var audit = await app.SendAsync(AsOperator(HttpMethod.Get, $"manage/products/{productId}/audit"), 200);
        Assert.NotEmpty(audit.AsArray());

        await app.SendAsync(app.Admin(HttpMethod.Delete, $"manage/keys/{(string)key["id"]!}"), 204);
        using var revoked = await app.Http.SendAsync(AsOperator(HttpMethod.Get, "manage/products"));
        Assert.Equal(HttpStatusCode.Unauthorized, revoked.StatusCode);
    }
}
