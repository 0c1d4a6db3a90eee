using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Provision.Core.Admin;
using Provision.Core.Devices;
using Provision.Core.Products;
using Provision.Core.Releases;
using Provision.Functions.Functions;
using Provision.Tests.DeviceApi;
using Provision.Tests.Infrastructure;

namespace Provision.Tests.Conformance;

/// <summary>
/// The unmodified Ioto agent against Provision: its exact requests through the functions on Azurite and the
/// AWS emulator, and each answer read the way the agent reads it.
/// </summary>
public class IotoAgentTests(AwsEmulatorFixture aws) : DeviceApiTestBase(aws)
{
    private const string Admin = "Bearer " + TestHost.BootstrapKey;

    [Fact]
    public async Task Register_AgentBodyWithProductTokenAsProduct_AnswersEverythingTheAgentKeeps()
    {
        await CreateProductAsync();
        var id = "AGENT" + Core.Security.Tokens.Base32(6);

        var answer = await SendAsync(Function<RegisterFunction>().Register, DeviceClients.AgentPost(ProductToken, DeviceClients.AgentDeviceJson(id, ProductToken)));

        Assert.Equal(StatusCodes.Status200OK, answer.Status);
        DeviceClients.AssertReadable(answer);
        Assert.True(answer.Body.GetProperty("registered").GetBoolean());
        Assert.Equal(id, answer.String("id"));
        Assert.Equal(TestHost.PublicUrl, answer.String("api"));
        Assert.Equal("dedicated", answer.String("cloudType"));
        Assert.Equal("Provision", answer.String("cloudName"));
        Assert.Equal("us-east-1", answer.String("cloudRegion"));
        Assert.NotEmpty(answer.String("token"));
        Assert.Equal(DeviceState.Registered, (await Devices.GetAsync(id))!.State);
    }

    [Fact]
    public async Task Register_UnknownProductToken_AgentRoutePlainTextAuthenticationFailed()
    {
        await CreateProductAsync();

        var answer = await SendAsync(Function<RegisterFunction>().Register, DeviceClients.AgentPost("not-a-product-token", DeviceClients.AgentDeviceJson("AGENTX0001", "not-a-product-token")));

        Assert.Equal(StatusCodes.Status401Unauthorized, answer.Status);
        Assert.Equal("Authentication failed", answer.Text);
        DeviceClients.AssertReadable(answer);
    }

    [Fact]
    public async Task Register_AccountOnAutoClaimList_ClaimedAtRegistration()
    {
        await CreateProductAsync(ReregistrationMode.Ioto, "ACME");
        var id = "AGENT" + Core.Security.Tokens.Base32(6);

        await SendAsync(Function<RegisterFunction>().Register, DeviceClients.AgentPost(ProductToken, DeviceClients.AgentDeviceJson(id, ProductToken, account: "ACME")));
        var other = "AGENT" + Core.Security.Tokens.Base32(6);
        await SendAsync(Function<RegisterFunction>().Register, DeviceClients.AgentPost(ProductToken, DeviceClients.AgentDeviceJson(other, ProductToken, account: "OTHER")));

        var claimed = (await Devices.GetAsync(id))!;
        Assert.Equal(DeviceState.Claimed, claimed.State);
        Assert.Equal("ACME", claimed.AccountId);
        Assert.Equal(DeviceState.Registered, (await Devices.GetAsync(other))!.State);
    }

    [Fact]
    public async Task Reregister_OverPerDeviceLimit_AgentToldToWait()
    {
        await CreateProductAsync();
        var id = "AGENT" + Core.Security.Tokens.Base32(6);
        var body = DeviceClients.AgentDeviceJson(id, ProductToken);
        await SendAsync(Function<RegisterFunction>().Register, DeviceClients.AgentPost(ProductToken, body));
        for (var i = 0; i < 3; i++)
        {
            Assert.True((await SendAsync(Function<RegisterFunction>().Register, DeviceClients.AgentPost(ProductToken, body))).Body.TryGetProperty("token", out _));
        }
        var tokenBefore = (await Devices.GetAsync(id))!.TokenHash;

        var limited = await SendAsync(Function<RegisterFunction>().Register, DeviceClients.AgentPost(ProductToken, body));

        Assert.Equal(StatusCodes.Status200OK, limited.Status);
        Assert.True(limited.Body.GetProperty("delay").GetInt32() > 0);
        Assert.Contains("too often", limited.Error);
        Assert.Equal(tokenBefore, (await Devices.GetAsync(id))!.TokenHash);
    }

    [Fact]
    public async Task DeviceJourney_RegisterClaimProvisionCredsUpdateSelfDeprovisionReleaseReregister()
    {
        await CreateProductAsync();
        var release = Domain.ReleaseTests.NewRelease("1.1.0", productId: ProductId);
        release.Url = "https://updates.example.com/t100/1.1.0.bin?sig=a+b/c&exp=1";
        await Services.GetRequiredService<IReleaseStore>().AddAsync(release);
        var id = "AGENT" + Core.Security.Tokens.Base32(6);

        // 1. Registration before any claim: the agent gets its api and token and moves on to provisioning.
        var registered = await SendAsync(Function<RegisterFunction>().Register, DeviceClients.AgentPost(ProductToken, DeviceClients.AgentDeviceJson(id, ProductToken)));
        var token = registered.String("token");

        // 2. Not claimed yet: a 200 with error and a small delay, which the agent honours without stretching its back-off.
        var waiting = await ProvisionAsync(id, token);
        Assert.Equal(StatusCodes.Status200OK, waiting.Status);
        Assert.NotNull(waiting.Error);
        Assert.InRange(waiting.Body.GetProperty("delay").GetInt32(), 1, 10);

        // 3. An operator claims it; the pipeline provisions it; the agent's next poll gets its certificate.
        await ClaimAsync(id, "ACME");
        var pending = await ProvisionAsync(id, token);
        Assert.Equal(StatusCodes.Status200OK, pending.Status);
        Assert.InRange(pending.Body.GetProperty("delay").GetInt32(), 1, 10);
        await Queue.RunAsync();
        var provisioned = await ProvisionAsync(id, token);
        AssertCertificates(provisioned);
        var firstCertificate = provisioned.String("certificate");

        // 4. cloudType "dedicated" makes the agent fetch credentials: no body, renewed 20 minutes before "expires".
        var creds = await SendAsync(Function<GetCredsFunction>().TokDeviceGetCreds, DeviceClients.AgentPost(token, null));
        Assert.Equal(StatusCodes.Status200OK, creds.Status);
        DeviceClients.AssertReadable(creds);
        var expires = creds.String("expires");
        Assert.True(DeviceClients.AgentAcceptsIsoDate(expires), expires);
        Assert.True(DateTimeOffset.Parse(expires, System.Globalization.CultureInfo.InvariantCulture) - DateTimeOffset.UtcNow > TimeSpan.FromMinutes(20));

        // 5. Update check with the device.json5 body (product = the product token); the signed URL arrives intact.
        var update = await SendAsync(Function<CheckinFunction>().TokProvisionUpdate, DeviceClients.AgentPost(token, DeviceClients.AgentUpdateJson(id, ProductToken, "1.0.0")));
        Assert.Equal(StatusCodes.Status200OK, update.Status);
        DeviceClients.AssertReadable(update);
        Assert.Equal(release.Url, update.String("url"));
        Assert.Equal(release.Checksum, update.String("checksum"));

        // 6. The agent deprovisions itself (e.g. three failed MQTT connects) and registers with the product token alone.
        var again = await SendAsync(Function<RegisterFunction>().Register, DeviceClients.AgentPost(ProductToken, DeviceClients.AgentDeviceJson(id, ProductToken)));
        Assert.Equal(StatusCodes.Status200OK, again.Status);
        var newToken = again.String("token");
        Assert.NotEqual(token, newToken);
        var oldRefused = await SendAsync(Function<CheckinFunction>().TokProvisionUpdate, DeviceClients.AgentPost(token, DeviceClients.AgentUpdateJson(id, ProductToken, "1.0.0")));
        Assert.Equal(StatusCodes.Status401Unauthorized, oldRefused.Status);
        Assert.Equal("Authentication failed", oldRefused.Text);
        Assert.Contains(await Services.GetRequiredService<IAuditLog>().ListAsync(AuditSubjects.Device(id), 10), e => e.Action.Contains("re-registered"));

        // 7. It re-provisions: a new certificate replaces the old one.
        var reissuing = await ProvisionAsync(id, newToken);
        Assert.Equal(StatusCodes.Status200OK, reissuing.Status);
        Assert.NotNull(reissuing.Error);
        await Queue.RunAsync();
        var reprovisioned = await ProvisionAsync(id, newToken);
        AssertCertificates(reprovisioned);
        Assert.NotEqual(firstCertificate, reprovisioned.String("certificate"));
        Assert.Single(ActiveAttachedCertificates(id));

        // 8. The operator releases it: its token fails as the agent expects, and it registers afresh.
        var manage = Function<ManageDevicesFunction>();
        Assert.Equal(StatusCodes.Status200OK, (await HttpCall.PostRawAsync(Services, (r, c) => manage.ReleaseDevice(r, id, c), rawBody: null, Admin)).Status);
        var released = await SendAsync(Function<CheckinFunction>().TokProvisionUpdate, DeviceClients.AgentPost(newToken, DeviceClients.AgentUpdateJson(id, ProductToken, "1.1.0")));
        Assert.Equal("Authentication failed", released.Text);
        var fresh = await SendAsync(Function<RegisterFunction>().Register, DeviceClients.AgentPost(ProductToken, DeviceClients.AgentDeviceJson(id, ProductToken)));
        Assert.Equal(StatusCodes.Status200OK, fresh.Status);
        Assert.Equal(DeviceState.Registered, (await Devices.GetAsync(id))!.State);
    }

    [Fact]
    public async Task Register_StrictProduct_ProductTokenAloneRefusedForRegisteredDevice()
    {
        await CreateProductAsync(ReregistrationMode.Token);
        var id = "AGENT" + Core.Security.Tokens.Base32(6);
        var body = DeviceClients.AgentDeviceJson(id, ProductToken);
        var first = await SendAsync(Function<RegisterFunction>().Register, DeviceClients.AgentPost(ProductToken, body));

        var again = await SendAsync(Function<RegisterFunction>().Register, DeviceClients.AgentPost(ProductToken, body));

        Assert.Equal(StatusCodes.Status409Conflict, again.Status);
        Assert.Contains("already registered", again.Error);
        Assert.Equal(StatusCodes.Status200OK, (await ProvisionAsync(id, first.String("token"))).Status);
    }

    /// <summary>
    /// The agent's provisioning loop waits a little longer after every try (a quarter second more each time) and
    /// never less than the last <c>delay</c> it was given. With Provision's delays a device claimed an hour after it
    /// registered still gets its certificates within a minute.
    /// </summary>
    [Fact]
    public void AgentBackoff_ClaimedAnHourAfterRegistration_PolledAgainWithinAMinute()
    {
        const double claimedAt = 3600;
        double now = 0, delay = 1;
        while (now < claimedAt)
        {
            // Not claimed: the answer's delay (at most 10 s) only ever raises the wait to itself.
            delay = Math.Max(delay + 0.25, 10);
            now += delay;
        }

        Assert.True(now - claimedAt < 60, $"next poll {now - claimedAt:F0} s after the claim");
    }

    private Task<HttpAnswer> ProvisionAsync(string id, string token) =>
        SendAsync(Function<GetCertsFunction>().TokDeviceProvision, DeviceClients.AgentPost(token, "{\"id\":\"" + id + "\"}"));

    private Task<HttpAnswer> SendAsync(Func<HttpRequest, CancellationToken, Task<IResult>> function, HttpRequest request) =>
        HttpCall.SendAsync(Services, function, request);

    private static void AssertCertificates(HttpAnswer answer)
    {
        Assert.Equal(StatusCodes.Status200OK, answer.Status);
        DeviceClients.AssertReadable(answer);
        Assert.False(answer.Body.TryGetProperty("error", out _));
        Assert.StartsWith("-----BEGIN CERTIFICATE-----", answer.String("certificate"));
        Assert.Contains("PRIVATE KEY-----", answer.String("key"));
        Assert.NotEmpty(answer.String("endpoint"));
        Assert.Equal("dedicated", answer.String("cloudType"));
        Assert.Equal("Provision", answer.String("cloudName"));
        Assert.Equal("ACME", answer.String("accountId"));
    }
}
