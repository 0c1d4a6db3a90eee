using System.Text.Json;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Provision.Core.Devices;
using Provision.Core.Releases;
using Provision.Functions.Functions;
using Provision.Tests.DeviceApi;
using Provision.Tests.Infrastructure;

namespace Provision.Tests.Conformance;

/// <summary>
/// The EmbedThis updater (C, JS and shell) against Provision with one fleet update token: its exact check and
/// report requests through the functions, and each answer read as that updater reads it.
/// </summary>
public class UpdaterTests(AwsEmulatorFixture aws)
    : DeviceApiTestBase(aws, settings => settings["FleetDevices:PermitsPerWindow"] = "3")
{
    private const string Admin = "Bearer " + TestHost.BootstrapKey;
    private const string SignedUrl = "https://updates.example.com/t100/1.1.0.bin?X-Sig=ab+cd/ef==&X-Expires=1700000000";

    [Fact]
    public async Task CUpdater_FleetTokenTestDeviceStringProperties_ChecksParsesAndReports()
    {
        var (fleetToken, release) = await FleetWithTestReleaseAsync();

        var check = await SendAsync(Function<CheckinFunction>().TokProvisionUpdate, DeviceClients.UpdaterPost(
            fleetToken, DeviceClients.CUpdaterCheck("UPD-C-0001", ProductId, "1.0.0", ("test", "true"), ("pro", "true"), ("memory", "256"))));

        Assert.Equal(StatusCodes.Status200OK, check.Status);
        DeviceClients.AssertReadable(check);
        Assert.Equal(SignedUrl, DeviceClients.CUpdaterValue(check.Text, "url"));
        Assert.Equal(release.Checksum, DeviceClients.CUpdaterValue(check.Text, "checksum"));
        Assert.Equal("1.1.0", DeviceClients.CUpdaterValue(check.Text, "version"));
        var update = DeviceClients.CUpdaterValue(check.Text, "update")!;

        var report = await SendAsync(Function<CheckinFunction>().TokProvisionUpdateReport, DeviceClients.UpdaterPost(
            fleetToken, DeviceClients.CUpdaterReport("UPD-C-0001", update, success: true)));

        Assert.Equal(StatusCodes.Status200OK, report.Status);
        DeviceClients.AssertReadable(report);
        var device = (await Devices.GetAsync("UPD-C-0001"))!;
        Assert.Equal(ProductId, device.ProductId);
        Assert.Equal(DeviceState.Registered, device.State);
    }

    [Fact]
    public async Task JsUpdater_FleetToken_ChecksAndReportsWithJsonStringify()
    {
        var (fleetToken, _) = await FleetWithTestReleaseAsync();
        var body = JsonSerializer.Serialize(new Dictionary<string, string>
        {
            ["id"] = "UPD-JS-0001", ["product"] = ProductId, ["version"] = "1.0.0", ["test"] = "true", ["region"] = "eu",
        });

        var check = await SendAsync(Function<CheckinFunction>().TokProvisionUpdate, DeviceClients.UpdaterPost(fleetToken, body));
        var data = JsonDocument.Parse(check.Text).RootElement;
        Assert.StartsWith("https://", data.GetProperty("url").GetString());
        var report = await SendAsync(Function<CheckinFunction>().TokProvisionUpdateReport, DeviceClients.UpdaterPost(
            fleetToken, JsonSerializer.Serialize(new { success = false, id = "UPD-JS-0001", update = data.GetProperty("update").GetString() })));

        Assert.Equal(StatusCodes.Status200OK, report.Status);
    }

    [Fact]
    public async Task ShellUpdater_HereDocumentBodiesAndStringSuccess_ChecksAndReports()
    {
        var (fleetToken, release) = await FleetWithTestReleaseAsync();

        var current = await SendAsync(Function<CheckinFunction>().TokProvisionUpdate, DeviceClients.UpdaterPost(
            fleetToken, DeviceClients.ShellUpdaterCheck("UPD-SH-0001", ProductId, "1.1.0", ("test", "true"))));
        var check = await SendAsync(Function<CheckinFunction>().TokProvisionUpdate, DeviceClients.UpdaterPost(
            fleetToken, DeviceClients.ShellUpdaterCheck("UPD-SH-0001", ProductId, "1.0.0", ("test", "true"))));
        var report = await SendAsync(Function<CheckinFunction>().TokProvisionUpdateReport, DeviceClients.UpdaterPost(
            fleetToken, DeviceClients.ShellUpdaterReport("UPD-SH-0001", release.Id, success: true)));

        // The shell updater stops when the raw answer is exactly "{}".
        Assert.Equal("{}", current.Text);
        Assert.Equal(SignedUrl, JsonDocument.Parse(check.Text).RootElement.GetProperty("url").GetString());
        Assert.Equal(StatusCodes.Status200OK, report.Status);
    }

    [Fact]
    public async Task FleetToken_NotTestDevice_TestReleaseNotOffered()
    {
        var (fleetToken, _) = await FleetWithTestReleaseAsync();

        var check = await SendAsync(Function<CheckinFunction>().TokProvisionUpdate, DeviceClients.UpdaterPost(
            fleetToken, DeviceClients.CUpdaterCheck("UPD-C-0002", ProductId, "1.0.0", ("test", "false"))));

        Assert.Equal("{}", check.Text);
    }

    [Fact]
    public async Task FleetToken_Revoked_PlainTextAuthenticationFailed()
    {
        var (fleetToken, _) = await FleetWithTestReleaseAsync();
        var tokenId = (await ListFleetTokensAsync())[0].GetProperty("id").GetString()!;
        var manage = Function<ManageFleetTokensFunction>();
        var revoked = await HttpCall.PostRawAsync(Services, (r, c) => manage.RevokeFleetToken(r, ProductId, tokenId, c), null, Admin, method: "DELETE");

        var check = await SendAsync(Function<CheckinFunction>().TokProvisionUpdate, DeviceClients.UpdaterPost(
            fleetToken, DeviceClients.CUpdaterCheck("UPD-C-0003", ProductId, "1.0.0")));

        Assert.Equal(StatusCodes.Status200OK, revoked.Status);
        Assert.Equal(StatusCodes.Status401Unauthorized, check.Status);
        Assert.Equal("Authentication failed", check.Text);
        Assert.NotNull((await ListFleetTokensAsync())[0].GetProperty("revoked").GetString());
    }

    [Fact]
    public async Task FleetToken_OnlyUpdateRoutes_CertificatesAndCredentialsRefused()
    {
        var (fleetToken, _) = await FleetWithTestReleaseAsync();
        var (id, _) = await RegisterAsync();
        await ClaimAsync(id);

        var certs = await SendAsync(Function<GetCertsFunction>().TokDeviceProvision, DeviceClients.UpdaterPost(fleetToken, "{\"id\":\"" + id + "\"}"));
        var creds = await SendAsync(Function<GetCredsFunction>().TokDeviceGetCreds, DeviceClients.UpdaterPost(fleetToken, "{\"id\":\"" + id + "\"}"));
        var register = await SendAsync(Function<RegisterFunction>().Register, DeviceClients.UpdaterPost(fleetToken, "{\"id\":\"NEWFLEET01\",\"product\":\"" + ProductId + "\"}"));

        Assert.Equal(StatusCodes.Status401Unauthorized, certs.Status);
        Assert.Equal(StatusCodes.Status401Unauthorized, creds.Status);
        Assert.Equal(StatusCodes.Status401Unauthorized, register.Status);
    }

    [Fact]
    public async Task FleetToken_NewDevicesOverProductLimit_ToldToWaitAndNotRegistered()
    {
        var (fleetToken, _) = await FleetWithTestReleaseAsync();
        for (var i = 1; i <= 3; i++)
        {
            var ok = await SendAsync(Function<CheckinFunction>().ProvisionUpdate, DeviceClients.UpdaterPost(fleetToken, DeviceClients.CUpdaterCheck($"UPD-LIM-{i}", ProductId, "1.0.0")));
            Assert.Equal(StatusCodes.Status200OK, ok.Status);
        }

        var limited = await SendAsync(Function<CheckinFunction>().ProvisionUpdate, DeviceClients.UpdaterPost(fleetToken, DeviceClients.CUpdaterCheck("UPD-LIM-4", ProductId, "1.0.0")));
        var known = await SendAsync(Function<CheckinFunction>().ProvisionUpdate, DeviceClients.UpdaterPost(fleetToken, DeviceClients.CUpdaterCheck("UPD-LIM-1", ProductId, "1.0.0")));

        Assert.Equal(StatusCodes.Status429TooManyRequests, limited.Status);
        Assert.NotNull(limited.Headers.RetryAfter.ToString());
        Assert.Null(await Devices.GetAsync("UPD-LIM-4"));
        Assert.Equal(StatusCodes.Status200OK, known.Status);
    }

    [Fact]
    public async Task FleetToken_DeviceOfAnotherProduct_Forbidden()
    {
        var (fleetToken, _) = await FleetWithTestReleaseAsync();
        var other = new Core.Devices.Device { Id = "OTHER-PROD-01", ProductId = "another", TokenHash = Core.Security.Tokens.Hash(Core.Security.Tokens.New()) };
        await Devices.CreateAsync(other);

        var check = await SendAsync(Function<CheckinFunction>().TokProvisionUpdate, DeviceClients.UpdaterPost(fleetToken, DeviceClients.CUpdaterCheck("OTHER-PROD-01", "another", "1.0.0")));

        Assert.Equal(StatusCodes.Status403Forbidden, check.Status);
    }

    /// <summary>A product with a test-only release 1.1.0 at a signed URL, and a fleet token made through the management API.</summary>
    private async Task<(string FleetToken, Release Release)> FleetWithTestReleaseAsync()
    {
        await CreateProductAsync();
        var release = Domain.ReleaseTests.NewRelease("1.1.0", productId: ProductId);
        release.Url = SignedUrl;
        release.TestOnly = true;
        await Services.GetRequiredService<IReleaseStore>().AddAsync(release);
        var manage = Function<ManageFleetTokensFunction>();
        var created = await HttpCall.PostRawAsync(Services, (r, c) => manage.CreateFleetToken(r, ProductId, c), "{\"name\":\"field updaters\"}", Admin);
        Assert.Equal(StatusCodes.Status201Created, created.Status);
        return (created.String("token"), release);
    }

    private async Task<List<JsonElement>> ListFleetTokensAsync()
    {
        var manage = Function<ManageFleetTokensFunction>();
        var listed = await HttpCall.PostRawAsync(Services, (r, c) => manage.ListFleetTokens(r, ProductId, c), null, Admin, method: "GET");
        return listed.Body.EnumerateArray().ToList();
    }

    private Task<HttpAnswer> SendAsync(Func<HttpRequest, CancellationToken, Task<IResult>> function, HttpRequest request) =>
        HttpCall.SendAsync(Services, function, request);
}
