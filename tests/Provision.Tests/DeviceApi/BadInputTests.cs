using System.Text;
using Microsoft.AspNetCore.Http;
using Provision.Core.Devices;
using Provision.Functions.Functions;
using Provision.Tests.Infrastructure;

namespace Provision.Tests.DeviceApi;

/// <summary>Every kind of bad device input gets a clear 4xx with {"error"}, and nothing in the registry changes.</summary>
public class BadInputTests(AwsEmulatorFixture aws) : DeviceApiTestBase(aws)
{
    public enum Route
    {
        Checkin, GetCerts, GetCreds, UpdateReport, Register, TokUpdate, TokProvision,
        ProvisionUpdate, ProvisionUpdateReport, DeviceProvision, DeviceGetCreds, TokGetCreds,
    }
    public enum Auth { Own, OtherDevice, Wrong, None, ProductToken }

    public static TheoryData<string, Route, string?, Auth, int, string> Cases() => new()
    {
        { "malformed JSON", Route.Checkin, """{"id": "{A}", """, Auth.Own, 400, "Request body is not valid JSON." },
        { "array body", Route.Checkin, """["{A}"]""", Auth.Own, 400, "Request body must be a JSON object." },
        { "empty body", Route.Checkin, null, Auth.Own, 400, "Request body is missing" },
        { "missing id", Route.Checkin, """{"version":"1.0.0"}""", Auth.Own, 400, "\"id\" is required." },
        { "id not a string", Route.GetCerts, """{"id": 42}""", Auth.Own, 400, "\"id\" must be a string." },
        { "test not a bool", Route.Checkin, """{"id":"{A}","test":"yes"}""", Auth.Own, 400, "\"test\" must be true or false." },
        { "version not a string", Route.TokUpdate, """{"id":"{A}","version":1.2}""", Auth.Own, 400, "\"version\" must be a string." },
        { "id with slash", Route.Checkin, """{"id":"a/b"}""", Auth.Own, 400, "must not contain '/'" },
        { "id with hash", Route.GetCreds, """{"id":"a#b"}""", Auth.Own, 400, "must not contain" },
        { "id with control char", Route.GetCerts, """{"id":"a\u0001b"}""", Auth.Own, 400, "control characters" },
        { "id too long", Route.Checkin, $$"""{"id":"{{new string('x', 300)}}"}""", Auth.Own, 400, "longer than 256" },
        { "oversized body", Route.Checkin, $$"""{"id":"{A}","blob":"{{new string('x', 70_000)}}"}""", Auth.Own, 413, "larger than 64 KiB" },
        { "duplicate member", Route.Checkin, """{"id":"{A}","pro":true,"pro":false}""", Auth.Own, 400, "appears more than once" },
        { "too many properties", Route.Checkin, ManyProperties(65), Auth.Own, 400, "Too many device properties" },
        { "wrong product", Route.Checkin, """{"id":"{A}","productId":"NOT-MINE"}""", Auth.Own, 400, "belongs to product" },
        { "csr not a CSR", Route.GetCerts, """{"id":"{A}","csr":"-----BEGIN CERTIFICATE REQUEST-----\nnope\n-----END CERTIFICATE REQUEST-----"}""", Auth.Own, 400, "csr must be a PEM certificate signing request" },
        { "success not a bool", Route.UpdateReport, """{"id":"{A}","update":"r1","success":"yes"}""", Auth.Own, 400, "\"success\" must be true or false." },
        { "update missing", Route.UpdateReport, """{"id":"{A}","success":true}""", Auth.Own, 400, "\"update\" is required." },
        { "wrong token", Route.Checkin, """{"id":"{A}"}""", Auth.Wrong, 401, "Authentication failed" },
        { "no token", Route.GetCerts, """{"id":"{A}"}""", Auth.None, 401, "Authentication failed" },
        { "no token, no body", Route.GetCreds, null, Auth.None, 401, "Authentication failed" },
        { "product token on device route", Route.Checkin, """{"id":"{A}"}""", Auth.ProductToken, 401, "Authentication failed" },
        { "another device's id", Route.Checkin, """{"id":"{A}"}""", Auth.OtherDevice, 401, "Authentication failed" },
        { "another device's id on getCerts", Route.TokProvision, """{"id":"{A}"}""", Auth.OtherDevice, 401, "Authentication failed" },
        { "unknown device id", Route.GetCerts, """{"id":"NO-SUCH-DEVICE"}""", Auth.Wrong, 401, "Authentication failed" },
        { "register without product", Route.Register, """{"id":"NEWDEVICE01"}""", Auth.ProductToken, 400, "\"product\" is required" },
        { "register bad id", Route.Register, """{"id":"x?y","product":"{P}"}""", Auth.ProductToken, 400, "A device id must be" },
        { "register device token", Route.Register, """{"id":"NEWDEVICE02","product":"{P}"}""", Auth.Own, 401, "Authentication failed" },
    };

    [Theory]
    [MemberData(nameof(Cases))]
    public async Task DeviceRoute_BadInput_ClearErrorAndRegistryUnchanged(string name, Route route, string? body, Auth auth, int status, string error)
    {
        var (idA, tokenA) = await RegisterAsync();
        var (idB, tokenB) = await RegisterAsync();
        await ClaimAsync(idA);
        var before = await SnapshotAsync(idA, idB);
        var queued = await Queue.PendingCountAsync();

        var authorization = auth switch
        {
            Auth.Own => $"Bearer {tokenA}",
            Auth.OtherDevice => $"Bearer {tokenB}",
            Auth.Wrong => "Bearer not-a-token",
            Auth.ProductToken => $"Bearer {ProductToken}",
            _ => null,
        };
        var answer = await HttpCall.PostRawAsync(Services, Handler(route), body?.Replace("{A}", idA).Replace("{P}", ProductId), authorization);

        Assert.True(status == answer.Status, $"{name}: expected {status}, got {answer.Status} ({answer.Error})");
        Assert.Contains(error, answer.Error);
        Assert.Equal(before, await SnapshotAsync(idA, idB));
        Assert.Equal(queued, await Queue.PendingCountAsync());
        Assert.Null(await Devices.GetAsync("NEWDEVICE01"));
        Assert.Null(await Devices.GetAsync("NEWDEVICE02"));
    }

    public static TheoryData<Route, string> MalformedStrings()
    {
        var data = new TheoryData<Route, string>();
        foreach (var route in Enum.GetValues<Route>())
        {
            foreach (var kind in new[] { "non-UTF-8 id", "unpaired surrogate id", "unpaired surrogate property", "40,000-character version", "40,000-character member name" })
            {
                data.Add(route, kind);
            }
        }
        return data;
    }

    /// <summary>Strings a device sends are well-formed and bounded on every route, whatever else the body says.</summary>
    [Theory]
    [MemberData(nameof(MalformedStrings))]
    public async Task DeviceRoute_MalformedOrHugeString_Answers400AndRegistryUnchanged(Route route, string kind)
    {
        var (idA, tokenA) = await RegisterAsync();
        await ClaimAsync(idA);
        var before = await SnapshotAsync(idA);
        var head = Encoding.UTF8.GetBytes($$"""{"id":"{{idA}}","product":"{{ProductId}}","update":"r1","success":true,""");
        byte[] tail = kind switch
        {
            "non-UTF-8 id" => [.. "\"id2\":\""u8, 0xC3, 0x28, 0xFF, .. "\"}"u8],
            "unpaired surrogate id" => Encoding.UTF8.GetBytes("\"id2\":\"\\ud800\"}"),
            "unpaired surrogate property" => Encoding.UTF8.GetBytes("\"model\":\"x\\udc00y\"}"),
            "40,000-character version" => Encoding.UTF8.GetBytes($"\"version\":\"{new string('1', 40_000)}\"}}"),
            _ => Encoding.UTF8.GetBytes($"\"{new string('m', 40_000)}\":1}}"),
        };
        var request = HttpResults.Request("POST", authorization: route == Route.Register ? $"Bearer {ProductToken}" : $"Bearer {tokenA}");
        byte[] body = [.. head, .. tail];
        request.Body = new MemoryStream(body);
        request.ContentLength = body.Length;

        var answer = await HttpCall.SendAsync(Services, Handler(route), request);

        Assert.True(answer.Status == StatusCodes.Status400BadRequest, $"{route} {kind}: {answer.Status} {answer.Text}");
        Assert.Contains("string", answer.Error);
        Assert.Equal(before, await SnapshotAsync(idA));
    }

    [Fact]
    public async Task DeviceRoute_ReleasedDevice_AuthenticationFailed()
    {
        var (id, token) = await RegisterAsync();
        var device = (await Devices.GetAsync(id))!;
        device.MoveTo(DeviceState.Releasing);
        device.MoveTo(DeviceState.Released);
        await Devices.UpdateAsync(device);

        var answer = await HttpCall.PostAsync(Services, Function<CheckinFunction>().Checkin, new { id }, $"Bearer {token}");

        Assert.Equal(StatusCodes.Status401Unauthorized, answer.Status);
        Assert.Equal("Authentication failed", answer.Error);
    }

    [Theory]
    [InlineData("Bearer {T}")]
    [InlineData("bearer {T}")]
    [InlineData("BEARER   {T}")]
    [InlineData("{T}")]
    public async Task DeviceRoute_TokenSchemes_Accepted(string header)
    {
        var (id, token) = await RegisterAsync();

        var answer = await HttpCall.PostAsync(Services, Function<CheckinFunction>().Checkin, new { id }, header.Replace("{T}", token));

        Assert.Equal(StatusCodes.Status200OK, answer.Status);
    }

    private Func<HttpRequest, CancellationToken, Task<IResult>> Handler(Route route) => route switch
    {
        Route.Checkin => Function<CheckinFunction>().Checkin,
        Route.TokUpdate => Function<CheckinFunction>().TokProvisionUpdate,
        Route.UpdateReport => Function<CheckinFunction>().TokProvisionUpdateReport,
        Route.GetCerts => Function<GetCertsFunction>().GetCerts,
        Route.TokProvision => Function<GetCertsFunction>().TokDeviceProvision,
        Route.GetCreds => Function<GetCredsFunction>().GetCreds,
        Route.Register => Function<RegisterFunction>().Register,
        Route.ProvisionUpdate => Function<CheckinFunction>().ProvisionUpdate,
        Route.ProvisionUpdateReport => Function<CheckinFunction>().ProvisionUpdateReport,
        Route.DeviceProvision => Function<GetCertsFunction>().DeviceProvision,
        Route.DeviceGetCreds => Function<GetCredsFunction>().DeviceGetCreds,
        Route.TokGetCreds => Function<GetCredsFunction>().TokDeviceGetCreds,
        _ => throw new ArgumentOutOfRangeException(nameof(route)),
    };

    private async Task<string> SnapshotAsync(params string[] ids)
    {
        var parts = new List<string>();
        foreach (var id in ids)
        {
            var device = (await Devices.GetAsync(id))!;
            parts.Add($"{id}:{device.ETag}:{device.State}:{device.Properties}:{device.Version}");
        }
        return string.Join("|", parts);
    }

    private static string ManyProperties(int count) =>
        "{\"id\":\"{A}\"," + string.Join(",", Enumerable.Range(0, count).Select(i => $"\"p{i}\":{i}")) + "}";
}
