using Amazon.Runtime;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Provision.Emulators.Aws;
using Provision.Core.Aws;

namespace Provision.Tests.Infrastructure;

/// <summary>One AWS emulator for the test collection, and real AWS clients configured against it.</summary>
public sealed class AwsEmulatorFixture : IAsyncLifetime
{
    /// <summary>Quotas raised in the emulator and, to match, in the app's pacing.</summary>
    private static readonly string[] RaisedQuotas =
        ["CreateKeysAndCertificate", "CreateCertificateFromCsr", "GetPolicy", "CreatePolicy", "AttachPolicy", "DetachPolicy", "UpdateCertificate", "DeleteCertificate"];

    public AwsEmulator Emulator { get; private set; } = null!;

    public async Task InitializeAsync()
    {
        // A small page size so that paging is exercised with a few principals.
        var options = new AwsEmulatorOptions { DefaultPageSize = 2 };

        // Tests create certificates and policies in their setup far faster than the AWS quotas allow; those
        // quotas are raised so that no test is throttled by its own setup. Every other operation keeps the
        // AWS default (the burst test relies on ListThingPrincipals' 10 per second).
        foreach (var operation in RaisedQuotas)
        {
            options.Quotas[operation] = 1000;
        }

        Emulator = await AwsEmulator.StartAsync(options);
    }

    public async Task DisposeAsync() => await Emulator.DisposeAsync();

    /// <summary>Settings that point every client at the emulator, with short retry delays.</summary>
    public Dictionary<string, string?> Settings() => new Dictionary<string, string?>
    {
        ["Aws:Region"] = Emulator.Region,
        ["Aws:AccountId"] = Emulator.AccountId,
        ["Aws:IotEndpoint"] = Emulator.BaseAddress.ToString(),
        ["Aws:IotDataEndpoint"] = Emulator.BaseAddress.ToString(),
        ["Aws:StsEndpoint"] = Emulator.BaseAddress.ToString(),
        ["Aws:MaxRetryAttempts"] = "3",
        ["Aws:RetryBaseDelay"] = "00:00:00.010",
        ["Aws:AttemptTimeout"] = "00:00:10",
        ["AwsPacing:ThrottledDelay"] = "00:00:00.100",
    }.Concat(RaisedQuotas.Select(operation => KeyValuePair.Create($"AwsPacing:Quotas:{operation}", (string?)"1000"))).ToDictionary();

    /// <summary>
    /// The container AddAwsIntegration builds, signing with the emulator's key unless <paramref name="credentials"/>
    /// is given or <paramref name="useEmulatorKey"/> is false (then the identity comes from the settings).
    /// </summary>
    public ServiceProvider CreateServices(
        Action<Dictionary<string, string?>>? configure = null,
        AWSCredentials? credentials = null,
        bool useEmulatorKey = true,
        Action<IServiceCollection>? register = null)
    {
        var settings = Settings();
        configure?.Invoke(settings);
        var services = new ServiceCollection();
        services.AddSingleton<IConfiguration>(new ConfigurationBuilder().AddInMemoryCollection(settings).Build());
        services.AddLogging();
        if (credentials is not null || useEmulatorKey)
        {
            services.AddSingleton(credentials ?? new BasicAWSCredentials(Emulator.AccessKeyId, Emulator.SecretAccessKey));
        }

        register?.Invoke(services);
        services.AddAwsIntegration();
        return services.BuildServiceProvider(new ServiceProviderOptions { ValidateScopes = true, ValidateOnBuild = true });
    }
}

[CollectionDefinition(Name)]
public sealed class AwsCollection : ICollectionFixture<AwsEmulatorFixture>
{
    public const string Name = "AWS emulator";
}
