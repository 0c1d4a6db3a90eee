using System.Security.Cryptography;
using System.Text.Json;
using Azure.Storage.Queues;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Provision.Core;
using Provision.Core.Admin;
using Provision.Core.Devices;
using Provision.Core.Security;
using Provision.Core.Updates;
using Provision.Seed;
using Provision.Tests.Infrastructure;

namespace Provision.Tests.LocalRun;

/// <summary>The demo seed against real Azurite, each test on its own tables and queue.</summary>
public class SeedTests
{
    private readonly Dictionary<string, string?> _settings = TestHost.Settings();

    [Fact]
    public async Task Run_EmptyStorage_CreatesProductDeviceAndRelease()
    {
        await using var services = Build();

        var result = await services.GetRequiredService<DemoSeed>().RunAsync();

        Assert.True(result.ProductCreated);
        Assert.True(result.DeviceCreated);
        Assert.True(result.ReleaseCreated);
        Assert.Equal(DemoSeed.ProductName, (await services.GetRequiredService<IProductAdmin>().GetAsync(DemoSeed.ProductId)).Name);
        var release = Assert.Single(await services.GetRequiredService<IReleaseAdmin>().ListAsync(DemoSeed.ProductId)).Release;
        Assert.Equal(DemoSeed.ReleaseVersion, release.Version);
        Assert.StartsWith("https://", release.Url);
        Assert.Equal(Convert.ToHexStringLower(SHA256.HashData(DemoSeed.ReleaseImage)), release.Checksum);
        Assert.True(release.Enabled);
    }

    [Fact]
    public async Task Run_EmptyStorage_ClaimsTheDeviceAndQueuesOneMessage()
    {
        await using var services = Build();

        var result = await services.GetRequiredService<DemoSeed>().RunAsync();

        Assert.True(result.ClaimedNow);
        var device = await services.GetRequiredService<IDeviceAdmin>().GetAsync(DemoSeed.DeviceId);
        Assert.Equal(DeviceState.Claimed, device.State);
        Assert.Equal(DemoSeed.AccountId, device.AccountId);
        var message = Assert.Single(await QueuedAsync(services));
        Assert.Equal(DemoSeed.DeviceId, JsonDocument.Parse(message).RootElement.GetProperty("deviceId").GetString());
    }

    [Fact]
    public async Task Run_Twice_CreatesNothingNew()
    {
        await using var services = Build();
        var seed = services.GetRequiredService<DemoSeed>();
        var first = await seed.RunAsync();

        var second = await seed.RunAsync();

        Assert.False(second.ProductCreated);
        Assert.False(second.DeviceCreated);
        Assert.False(second.ReleaseCreated);
        Assert.False(second.ClaimedNow);
        Assert.Equal(first.Release.Id, Assert.Single(await services.GetRequiredService<IReleaseAdmin>().ListAsync(DemoSeed.ProductId)).Release.Id);
        var devices = await services.GetRequiredService<IDeviceAdmin>().ListAsync(DemoSeed.ProductId, null, 100, null);
        Assert.Equal(DeviceState.Claimed, Assert.Single(devices.Items).State);
        Assert.Single(await QueuedAsync(services));
    }

    [Fact]
    public async Task Run_Twice_ReplacesTheDeviceToken()
    {
        await using var services = Build();
        var seed = services.GetRequiredService<DemoSeed>();
        var first = await seed.RunAsync();

        var second = await seed.RunAsync();

        var authenticator = services.GetRequiredService<IDeviceAuthenticator>();
        Assert.NotEqual(first.Device.Token, second.Device.Token);
        await Assert.ThrowsAsync<AuthenticationFailedException>(() => authenticator.AuthenticateAsync("Bearer " + first.Device.Token, DemoSeed.DeviceId));
        Assert.Equal(DemoSeed.DeviceId, (await authenticator.AuthenticateAsync("Bearer " + second.Device.Token, DemoSeed.DeviceId)).Id);
    }

    [Fact]
    public async Task Run_Twice_ReplacesTheProductToken()
    {
        await using var services = Build();
        var seed = services.GetRequiredService<DemoSeed>();
        var first = await seed.RunAsync();

        var second = await seed.RunAsync();

        var product = await services.GetRequiredService<IProductAdmin>().GetAsync(DemoSeed.ProductId);
        Assert.False(Tokens.Matches(first.Product.Token, product.TokenHash));
        Assert.True(Tokens.Matches(second.Product.Token, product.TokenHash));
    }

    [Fact]
    public async Task Run_DeviceAtOneZeroZero_IsOfferedTheRelease()
    {
        await using var services = Build();
        var result = await services.GetRequiredService<DemoSeed>().RunAsync();
        var device = await services.GetRequiredService<IDeviceAuthenticator>().AuthenticateAsync("Bearer " + result.Device.Token, DemoSeed.DeviceId);

        var offer = await services.GetRequiredService<ICheckinService>().CheckinAsync(
            device, new CheckinRequest(null, false, DemoSeed.DeviceVersion, new Dictionary<string, JsonElement>()));

        Assert.NotNull(offer);
        Assert.Equal(result.Release.Id, offer.ReleaseId);
        Assert.Equal(DemoSeed.ReleaseVersion, offer.Version);
        Assert.Equal(DemoSeed.ReleaseChecksum, offer.Checksum);
    }

    [Fact]
    public async Task Format_AfterRun_PrintsCurlCommandsWithTheNewDeviceToken()
    {
        await using var services = Build();
        var seed = services.GetRequiredService<DemoSeed>();
        await seed.RunAsync();
        var result = await seed.RunAsync();

        var text = SeedText.Format(result, "http://localhost:7071", TestHost.BootstrapKey);

        var curls = text.Split('\n').Select(line => line.TrimEnd('\r')).Where(line => line.StartsWith("curl ", StringComparison.Ordinal)).ToList();
        var header = $"-H 'Authorization: Bearer {result.Device.Token}'";
        Assert.Collection(curls,
            line => Assert.Contains($"-X POST http://localhost:7071/provision/checkin {header} -d '{{\"id\":\"DEMO000001\",\"version\":\"1.0.0\"}}'", line),
            line => Assert.Contains($"-X POST http://localhost:7071/provision/getCerts {header} -d '{{\"id\":\"DEMO000001\"}}'", line),
            line => Assert.Contains($"-X POST http://localhost:7071/provision/getCreds {header}", line),
            line => Assert.Equal($"curl -s http://localhost:7071/manage/devices/DEMO000001 -H 'Authorization: Bearer {TestHost.BootstrapKey}'", line));
    }

    [Fact]
    public async Task Format_AfterRun_SaysGetCertsAnswers202UntilProvisioned()
    {
        await using var services = Build();
        var result = await services.GetRequiredService<DemoSeed>().RunAsync();

        var text = SeedText.Format(result, "http://localhost:7071", TestHost.BootstrapKey);

        Assert.Contains("202 {\"status\":\"provisioning\"}", text);
        Assert.Contains(result.Product.Token, text);
    }

    [Fact]
    public void Quote_SingleQuote_IsEscapedForTheShell() =>
        Assert.Equal("'it'\\''s'", SeedText.Quote("it's"));

    private ServiceProvider Build() =>
        SeedHost.Build(new ConfigurationBuilder().AddInMemoryCollection(_settings).Build());

    private async Task<List<string>> QueuedAsync(IServiceProvider services)
    {
        var queue = services.GetRequiredService<QueueServiceClient>().GetQueueClient(_settings["ProvisionQueueName"]);
        var peeked = await queue.PeekMessagesAsync(maxMessages: 32);
        return peeked.Value.Select(message => message.Body.ToString()).ToList();
    }
}
