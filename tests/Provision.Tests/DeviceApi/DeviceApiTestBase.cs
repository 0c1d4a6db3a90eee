using Provision.Emulators.Aws;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using Amazon.Runtime;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Provision.Core.Devices;
using Provision.Core.Products;
using Provision.Core.Provisioning;
using Provision.Core.Security;
using Provision.Functions.Functions;
using Provision.Tests.Infrastructure;

namespace Provision.Tests.DeviceApi;

/// <summary>
/// The device API end to end: the app's own container over real Azurite and the AWS emulator, functions
/// called as the host calls them, and the provisioning queue driven as the host drives it.
/// </summary>
[Collection(AwsCollection.Name)]
public abstract class DeviceApiTestBase : IDisposable
{
    protected DeviceApiTestBase(
        AwsEmulatorFixture aws, Action<Dictionary<string, string?>>? configure = null, Action<IServiceCollection>? overrides = null)
    {
        Aws = aws;
        aws.Emulator.Reset();
        var settings = TestHost.Settings();
        foreach (var (key, value) in aws.Settings())
        {
            settings[key] = value;
        }
        configure?.Invoke(settings);
        _settings = settings;
        _overrides = overrides;
        Services = BuildInstance();
        Queue = new QueueDriver(Services);
        ProductId = "P" + Guid.NewGuid().ToString("N")[..8];
    }

    private readonly Dictionary<string, string?> _settings;
    private readonly Action<IServiceCollection>? _overrides;

    private ServiceProvider BuildInstance() => BuildInstance(_settings);

    private ServiceProvider BuildInstance(Dictionary<string, string?> settings) => TestHost.Build(settings, services =>
    {
        services.AddSingleton<AWSCredentials>(new BasicAWSCredentials(Aws.Emulator.AccessKeyId, Aws.Emulator.SecretAccessKey));
        services.AddLogging(logging => logging.AddProvider(Logs).SetMinimumLevel(LogLevel.Trace));
        _overrides?.Invoke(services);
    });

    /// <summary>Another instance of the app over the same storage and AWS, as when the app scales out; the caller disposes it.</summary>
    protected ServiceProvider SecondInstance() => BuildInstance();

    /// <summary>An instance over the same storage and AWS with changed settings, as after a configuration change; the caller disposes it.</summary>
    protected ServiceProvider InstanceWith(Action<Dictionary<string, string?>> change)
    {
        var settings = new Dictionary<string, string?>(_settings);
        change(settings);
        return BuildInstance(settings);
    }

    /// <summary>The setting this test's instances were built with.</summary>
    protected string? Setting(string key) => _settings.GetValueOrDefault(key);

    /// <summary>The emulator keeps state across tests: assertions look only at what this test created.</summary>
    protected DateTimeOffset Started { get; } = DateTimeOffset.UtcNow;

    protected AwsEmulatorFixture Aws { get; }

    /// <summary>Everything the app logged during the test.</summary>
    protected LogCapture Logs { get; } = new();
    protected AwsEmulator Emulator => Aws.Emulator;
    protected ServiceProvider Services { get; }
    protected QueueDriver Queue { get; }
    protected string ProductId { get; }
    protected string ProductToken { get; } = Tokens.New();

    protected IDeviceStore Devices => Services.GetRequiredService<IDeviceStore>();
    protected T Function<T>() => ActivatorUtilities.CreateInstance<T>(Services);

    protected Task<HttpAnswer> PostAsync(Func<HttpRequest, CancellationToken, Task<IResult>> function, object? body, string? authorization) =>
        HttpCall.PostAsync(Services, function, body, authorization);

    protected async Task CreateProductAsync(ReregistrationMode reregistration = ReregistrationMode.Ioto, params string[] autoClaimAccounts)
    {
        await Services.GetRequiredService<IProductStore>().CreateAsync(new Product
        {
            Id = ProductId,
            Name = "Test product",
            TokenHash = Tokens.Hash(ProductToken),
            Reregistration = reregistration,
            AutoClaimAccounts = autoClaimAccounts,
            Created = DateTimeOffset.UtcNow,
        });
    }

    /// <summary>Registers a new device of the product through /device/register; returns its id and token.</summary>
    protected async Task<(string Id, string Token)> RegisterAsync(string? deviceId = null)
    {
        if (await Services.GetRequiredService<IProductStore>().GetAsync(ProductId) is null)
        {
            await CreateProductAsync();
        }
        var id = deviceId ?? "D" + Tokens.Base32(11);
        var answer = await PostAsync(Function<RegisterFunction>().Register, new { id, product = ProductId, description = "test device" }, $"Bearer {ProductToken}");
        Assert.Equal(StatusCodes.Status200OK, answer.Status);
        return (id, answer.String("token"));
    }

    protected Task ClaimAsync(string deviceId, string accountId = "ACCOUNT1") =>
        Services.GetRequiredService<IClaimService>().ClaimAsync(deviceId, accountId);

    /// <summary>Registered, claimed and provisioned through the queue; returns its id and token.</summary>
    protected async Task<(string Id, string Token)> ProvisionedDeviceAsync()
    {
        var (id, token) = await RegisterAsync();
        await ClaimAsync(id);
        await Queue.RunAsync();
        Assert.Equal(DeviceState.Provisioned, (await Devices.GetAsync(id))!.State);
        return (id, token);
    }

    protected Task<HttpAnswer> GetCertsAsync(string id, string token, string? csr = null) =>
        PostAsync(Function<GetCertsFunction>().GetCerts, csr is null ? new { id } : new { id, csr }, $"Bearer {token}");

    /// <summary>Active certificates attached to the thing, as AWS sees them.</summary>
    protected IReadOnlyList<string> ActiveAttachedCertificates(string thingName)
    {
        var thing = Emulator.State.Things[thingName];
        return thing.Principals
            .Select(arn => Emulator.State.Certificates.Values.Single(c => c.Arn == arn))
            .Where(c => c.Status == CertificateStatus.ACTIVE)
            .Select(c => c.Id)
            .ToList();
    }

    /// <summary>Active certificates created during this test.</summary>
    protected IReadOnlyList<EmulatedCertificate> ActiveCertificates() =>
        Emulator.State.Certificates.Values.Where(c => c.Created >= Started && c.Status == CertificateStatus.ACTIVE).ToList();

    protected IReadOnlyList<AssumedRoleSession> SessionsOf(string deviceId) =>
        Emulator.State.Sessions.Where(s => s.RoleSessionName == deviceId).ToList();

    protected static (RSA Key, string CsrPem) NewCsr(string commonName)
    {
        var key = RSA.Create(2048);
        var request = new CertificateRequest($"CN={commonName}, O=Provision Tests", key, HashAlgorithmName.SHA256, RSASignaturePadding.Pkcs1);
        return (key, request.CreateSigningRequestPem());
    }

    public void Dispose()
    {
        Services.Dispose();
        GC.SuppressFinalize(this);
    }
}
