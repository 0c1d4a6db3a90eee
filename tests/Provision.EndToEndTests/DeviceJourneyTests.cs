using System.Net;
using Provision.EndToEndTests.Infrastructure;

namespace Provision.EndToEndTests;

[Collection(AppCollection.Name)]
public sealed class DeviceJourneyTests(AppFixture app)
{
    [Fact]
    public async Task DeviceJourney_RegisterClaimProvisionCheckinReport_EveryStepAnswers()
    {
        var (productId, productToken) = await app.CreateProductAsync();
        var (deviceId, token) = await app.RegisterDeviceAsync(productId, productToken);

        // Not claimed yet: no certificate.
        await app.SendAsync(AppFixture.Device("provision/getCerts", token, new { id = deviceId }), 403);

        await app.SendAsync(app.Admin(HttpMethod.Post, $"manage/devices/{deviceId}/claim", new { accountId = "acme" }), 200);

        // The queue trigger provisions it; getCerts answers 202 until then.
        System.Text.Json.Nodes.JsonNode? certs = null;
        await AppFixture.EventuallyAsync(async () =>
        {
            using var response = await app.Http.SendAsync(AppFixture.Device("provision/getCerts", token, new { id = deviceId }));
            Assert.True(response.StatusCode is HttpStatusCode.OK or HttpStatusCode.Accepted, await response.Content.ReadAsStringAsync());
            Assert.NotNull(response.Content.Headers.ContentLength);
            certs = response.StatusCode == HttpStatusCode.OK ? System.Text.Json.Nodes.JsonNode.Parse(await response.Content.ReadAsStringAsync()) : null;
            return certs is not null;
        }, "getCerts 200 after the queue-driven provisioning");
        Assert.StartsWith("-----BEGIN CERTIFICATE-----", (string)certs!["certificate"]!);
        Assert.Contains("PRIVATE KEY", (string)certs["key"]!);
        Assert.Equal(deviceId, (string)certs["thing"]!);

        var device = await app.SendAsync(app.Admin(HttpMethod.Get, $"manage/devices/{deviceId}"), 200);
        Assert.Equal("Provisioned", (string)device["state"]!);

        var creds = await app.SendAsync(AppFixture.Device("provision/getCreds", token, new { id = deviceId }), 200);
        Assert.False(string.IsNullOrEmpty((string)creds["sessionToken"]!));

        var release = await app.SendAsync(app.Admin(HttpMethod.Post, $"manage/products/{productId}/releases", new
        {
            version = "1.1.0",
            url = "https://updates.example.com/1.1.0.bin",
            checksum = new string('a', 64),
        }), 201);
        var offer = await app.SendAsync(AppFixture.Device("provision/checkin", token, new { id = deviceId, version = "1.0.0" }), 200);
        Assert.Equal("1.1.0", (string)offer["version"]!);
        Assert.Equal("https://updates.example.com/1.1.0.bin", (string)offer["url"]!);

        await app.SendAsync(AppFixture.Device("tok/provision/updateReport", token, new { id = deviceId, update = (string)offer["update"]!, success = true }), 200);
        var counted = await app.SendAsync(app.Admin(HttpMethod.Get, $"manage/products/{productId}/releases/{(string)release["id"]!}"), 200);
        Assert.Equal(1, (int)counted["counters"]!["succeeded"]!);
    }

    [Fact]
    public async Task Checkin_AnotherDevicesId_WorkersAnswerRelayed()
    {
        var (productId, productToken) = await app.CreateProductAsync();
        var (_, token) = await app.RegisterDeviceAsync(productId, productToken);
        var (otherId, _) = await app.RegisterDeviceAsync(productId, productToken);

        using var response = await app.Http.SendAsync(AppFixture.Device("provision/checkin", token, new { id = otherId, version = "1.0.0" }));

        Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
        Assert.Equal("application/json", response.Content.Headers.ContentType?.MediaType);
        Assert.False(string.IsNullOrEmpty((string?)System.Text.Json.Nodes.JsonNode.Parse(await response.Content.ReadAsStringAsync())!["error"]));
    }
}
