using System.Security.Cryptography;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Provision.Functions;

namespace Provision.Tests.Infrastructure;

/// <summary>Builds the app's own container (the composition root Program.cs uses) over test settings.</summary>
public static class TestHost
{
    /// <summary>Settings for a fresh, isolated set of tables on the shared Azurite.</summary>
    public static Dictionary<string, string?> Settings(string? connectionString = null) => new()
    {
        ["AzureWebJobsStorage"] = connectionString ?? Azurite.Instance.ConnectionString,
        ["Storage:TablePrefix"] = UniquePrefix(),
        ["ProvisionQueueName"] = "q" + Guid.NewGuid().ToString("N")[..12],
        ["Admin:BootstrapKey"] = BootstrapKey,
        ["Security:KeyEncryptionKey"] = Convert.ToBase64String(RandomNumberGenerator.GetBytes(32)),
        ["Security:KeyEncryptionKeyId"] = "test1",
        ["Aws:AccountId"] = "123456789012",
        ["Cloud:PublicUrl"] = PublicUrl,
    };

    /// <summary>The device API's public URL in <see cref="Settings"/>; requests in tests arrive at another host.</summary>
    public const string PublicUrl = "https://api.provision.test";

    /// <summary>The admin bootstrap key of <see cref="Settings"/>.</summary>
    public const string BootstrapKey = "jCMeh5CpM1p4/tieQdGwXL/27PEPLr22icvFOMaqxqw=";

    /// <summary>The app's container; <paramref name="overrides"/> then replaces registrations, e.g. a port with a substitute.</summary>
    public static ServiceProvider Build(IDictionary<string, string?> settings, Action<IServiceCollection>? overrides = null)
    {
        var configuration = new ConfigurationBuilder().AddInMemoryCollection(settings).Build();
        var services = new ServiceCollection();
        services.AddSingleton<IConfiguration>(configuration);
        services.AddLogging(logging => logging.SetMinimumLevel(LogLevel.Warning));
        services.AddProvisioning();
        overrides?.Invoke(services);
        return services.BuildServiceProvider(new ServiceProviderOptions { ValidateOnBuild = true, ValidateScopes = true });
    }

    public static string UniquePrefix() => "t" + Guid.NewGuid().ToString("N")[..12];
}
