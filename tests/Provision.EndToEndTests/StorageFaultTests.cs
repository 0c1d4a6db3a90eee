using System.Diagnostics;
using System.Net;
using Provision.Emulators.Aws;
using Provision.EndToEndTests.Infrastructure;
using Provision.Tests.Infrastructure;

namespace Provision.EndToEndTests;

/// <summary>The app on an Azurite of its own that the tests freeze and stop: the hot path answers 503 fast.</summary>
[Collection(AppCollection.Name)]
public sealed class StorageFaultTests : IAsyncLifetime
{
    private static readonly TimeSpan FailFast = TimeSpan.FromSeconds(5);
    private Azurite storage = null!;
    private AwsEmulator aws = null!;
    private Provision.FunctionsHost.FunctionsHost host = null!;
    private HttpClient http = null!;
    private string deviceId = null!;
    private string token = null!;

    public async Task InitializeAsync()
    {
        storage = Azurite.StartPrivate();
        aws = await AwsEmulator.StartAsync();
        host = await AppFixture.StartHostAsync(storage.ConnectionString, aws, "faults");
        http = new HttpClient { BaseAddress = host.BaseAddress, Timeout = TimeSpan.FromSeconds(60) };
        var request = new HttpRequestMessage(HttpMethod.Post, "manage/products") { Content = System.Net.Http.Json.JsonContent.Create(new { id = "faults", name = "Faults" }) };
        request.Headers.Authorization = new("Bearer", AppFixture.AdminKey);
        using var product = await http.SendAsync(request);
        var productToken = (string)System.Text.Json.Nodes.JsonNode.Parse(await product.Content.ReadAsStringAsync())!["token"]!;
        using var register = await http.SendAsync(AppFixture.Device("device/register", productToken, new { id = "FAULT00001", product = "faults" }));
        (deviceId, token) = ("FAULT00001", (string)System.Text.Json.Nodes.JsonNode.Parse(await register.Content.ReadAsStringAsync())!["token"]!);
        using var warm = await http.SendAsync(AppFixture.Device("provision/checkin", token, new { id = deviceId }));
        Assert.Equal(HttpStatusCode.OK, warm.StatusCode);
    }

    public async Task DisposeAsync()
    {
        http.Dispose();
        await host.DisposeAsync();
        await aws.DisposeAsync();
        storage.Thaw();
        storage.Stop();
    }

    [Fact]
    public async Task CheckinAndHealth_AzuriteFrozen_503WithRetryAfterWithin5Seconds()
    {
        storage.Freeze();
        try
        {
            await AssertFailsFastAsync(AppFixture.Device("provision/checkin", token, new { id = deviceId }));
            await AssertFailsFastAsync(new HttpRequestMessage(HttpMethod.Get, "health"));
        }
        finally
        {
            storage.Thaw();
        }
    }

    [Fact]
    public async Task CheckinAndHealth_AzuriteStopped_503WithRetryAfterWithin5Seconds()
    {
        storage.Stop();
        try
        {
            await AssertFailsFastAsync(AppFixture.Device("provision/checkin", token, new { id = deviceId }));
            await AssertFailsFastAsync(new HttpRequestMessage(HttpMethod.Get, "health"));
        }
        finally
        {
            storage.Restart();
        }
    }

    private async Task AssertFailsFastAsync(HttpRequestMessage request)
    {
        var watch = Stopwatch.StartNew();
        using (request)
        using (var response = await http.SendAsync(request))
        {
            watch.Stop();
            var body = await response.Content.ReadAsStringAsync();
            Assert.True(response.StatusCode == HttpStatusCode.ServiceUnavailable, $"{request.RequestUri}: {(int)response.StatusCode} {body}");
            Assert.True(response.Headers.RetryAfter is not null, $"{request.RequestUri}: no Retry-After");
            Assert.Contains("unavailable", body, StringComparison.OrdinalIgnoreCase);
            Assert.True(watch.Elapsed < FailFast, $"{request.RequestUri} took {watch.Elapsed.TotalSeconds:0.0} s");
        }
    }
}
