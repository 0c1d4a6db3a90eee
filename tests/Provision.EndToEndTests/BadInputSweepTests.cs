using System.Net.Http.Headers;
using System.Text;
using Provision.EndToEndTests.Infrastructure;

namespace Provision.EndToEndTests;

/// <summary>Bad input on the wire, through the host, on every device route: a 4xx with a body and a Content-Length, never a 500.</summary>
[Collection(AppCollection.Name)]
public sealed class BadInputSweepTests(AppFixture app)
{
    private static readonly string[] DeviceRoutes =
    [
        "provision/checkin", "tok/provision/update", "provision/getCerts", "tok/device/provision",
        "provision/getCreds", "tok/device/getCreds", "tok/provision/updateReport", "device/register",
    ];

    public static TheoryData<string> Bodies() => new(BadBodies.Keys);

    private static readonly Dictionary<string, Func<string, HttpContent?>> BadBodies = new()
    {
        ["missing"] = _ => null,
        ["empty"] = _ => new ByteArrayContent([]),
        ["oversized"] = id => Json($"{{\"id\":\"{id}\",\"pad\":\"{new string('x', 200 * 1024)}\"}}"),
        ["oversized chunked"] = id => Chunked(Encoding.UTF8.GetBytes($"{{\"id\":\"{id}\",\"pad\":\"{new string('x', 200 * 1024)}\"}}")),
        ["chunked non-JSON"] = _ => Chunked(Encoding.UTF8.GetBytes("id=1&version=2")),
        ["non-JSON"] = _ => Json("<xml>not json</xml>"),
        ["truncated JSON"] = id => Json($"{{\"id\":\"{id}\",\"version\":"),
        ["non-UTF-8"] = _ => new ByteArrayContent([0x7b, 0x22, 0x69, 0x64, 0x22, 0x3a, 0x22, 0xff, 0xfe, 0xc3, 0x28, 0x22, 0x7d]),
        ["JSON array"] = _ => Json("[1,2,3]"),
        ["id a number"] = _ => Json("{\"id\":12345}"),
        ["id an object"] = _ => Json("{\"id\":{\"a\":1}}"),
        ["id null"] = _ => Json("{\"id\":null}"),
        ["invalid id"] = _ => Json("{\"id\":\"../../etc/passwd\"}"),
        ["overlong id"] = _ => Json($"{{\"id\":\"{new string('A', 5000)}\"}}"),
        ["lone surrogate"] = _ => Json("{\"id\":\"\\ud800\"}"),
        ["deeply nested"] = id => Json($"{{\"id\":\"{id}\",\"x\":{new string('[', 5000)}{new string(']', 5000)}}}"),
    };

    [Theory]
    [MemberData(nameof(Bodies))]
    public async Task DeviceRoutes_BadBody_4xxWithBodyAndContentLength(string kind)
    {
        var (productId, productToken) = await app.CreateProductAsync();
        var (deviceId, deviceToken) = await app.RegisterDeviceAsync(productId, productToken);
        var failures = new List<string>();

        foreach (var route in DeviceRoutes)
        {
            using var request = new HttpRequestMessage(HttpMethod.Post, route) { Content = BadBodies[kind](deviceId) };
            request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", route == "device/register" ? productToken : deviceToken);
            using var response = await app.Http.SendAsync(request);
            var body = await response.Content.ReadAsByteArrayAsync();
            var status = (int)response.StatusCode;
            if (status is < 400 or >= 500 || body.Length == 0 || response.Content.Headers.ContentLength != body.Length)
            {
                failures.Add($"{route}: {status}, Content-Length {response.Content.Headers.ContentLength?.ToString() ?? "none"}, body {Encoding.UTF8.GetString(body)}");
            }
        }

        Assert.True(failures.Count == 0, $"{kind}:\n{string.Join('\n', failures)}");
    }

    [Fact]
    public async Task DeviceRoutes_NoOrUnknownToken_401WithBodyAndContentLength()
    {
        foreach (var route in DeviceRoutes)
        {
            using var request = new HttpRequestMessage(HttpMethod.Post, route) { Content = Json("{\"id\":\"NOBODY0001\",\"product\":\"nothing\",\"version\":\"1.0.0\",\"update\":\"r1\",\"success\":true}") };
            request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", "AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA");
            using var response = await app.Http.SendAsync(request);
            var body = await response.Content.ReadAsByteArrayAsync();

            Assert.True((int)response.StatusCode is 401, $"{route}: {(int)response.StatusCode}");
            Assert.NotEmpty(body);
            Assert.Equal(body.Length, response.Content.Headers.ContentLength);
        }
    }

    private static ByteArrayContent Json(string text)
    {
        var content = new ByteArrayContent(Encoding.UTF8.GetBytes(text));
        content.Headers.ContentType = new MediaTypeHeaderValue("application/json");
        return content;
    }

    private static StreamContent Chunked(byte[] body)
    {
        // A stream of unknown length: HttpClient sends it with Transfer-Encoding: chunked.
        var content = new StreamContent(new UnknownLengthStream(body));
        content.Headers.ContentType = new MediaTypeHeaderValue("application/json");
        return content;
    }

    private sealed class UnknownLengthStream(byte[] body) : MemoryStream(body)
    {
        public override bool CanSeek => false;
    }
}
