using System.Diagnostics;
using Xunit.Abstractions;
using System.Net;
using Provision.EndToEndTests.Infrastructure;

namespace Provision.EndToEndTests;

[Collection(AppCollection.Name)]
public sealed class ConcurrentCheckinTests(AppFixture app, ITestOutputHelper output)
{
    [Fact]
    public async Task Checkin_500DevicesAtOnce_AllAnswered200()
    {
        const int devices = 500;
        var (productId, _) = await app.CreateProductAsync();
        var ids = Enumerable.Range(0, devices).Select(i => $"C{i:D5}{Guid.NewGuid():N}"[..16]).ToArray();
        var imported = await app.SendAsync(app.Admin(HttpMethod.Post, $"manage/products/{productId}/devices/import", ids), 200);
        var tokens = imported["devices"]!.AsArray().ToDictionary(d => (string)d!["id"]!, d => (string)d!["token"]!);
        Assert.Equal(devices, tokens.Count);

        var burst = Stopwatch.StartNew();
        var answers = await Task.WhenAll(tokens.Select(async device =>
        {
            var watch = Stopwatch.StartNew();
            using var response = await app.Http.SendAsync(AppFixture.Device("provision/checkin", device.Value, new { id = device.Key, version = "1.0.0" }));
            var error = response.StatusCode == HttpStatusCode.OK ? null : $"{device.Key}: {(int)response.StatusCode} {await response.Content.ReadAsStringAsync()}";
            return (Error: error, watch.Elapsed);
        }));
        burst.Stop();

        var errors = answers.Where(a => a.Error is not null).Select(a => a.Error).ToArray();
        var slowest = answers.Max(a => a.Elapsed);
        output.WriteLine($"{devices} check-ins in {burst.Elapsed.TotalSeconds:0.00} s; slowest {slowest.TotalSeconds:0.00} s");
        Assert.True(errors.Length == 0, $"{errors.Length} of {devices} failed (burst {burst.Elapsed.TotalSeconds:0.00} s, slowest {slowest.TotalSeconds:0.00} s):\n{string.Join('\n', errors.Take(10))}");
    }
}
