using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using NSubstitute;
using Provision.Core.Releases;

namespace Provision.Tests.Releases;

public class ReleaseSelectionRegistrationTests
{
    private static ServiceProvider Build(string cacheSeconds)
    {
        var configuration = new ConfigurationBuilder()
            .AddInMemoryCollection(new Dictionary<string, string?> { ["Releases:CacheSeconds"] = cacheSeconds })
            .Build();
        var services = new ServiceCollection()
            .AddSingleton<IConfiguration>(configuration)
            .AddLogging()
            .AddSingleton(Substitute.For<IReleaseStore>())
            .AddReleaseSelection();
        return services.BuildServiceProvider();
    }

    [Fact]
    public void AddReleaseSelection_ValidSettings_ResolvesSelector()
    {
        using var provider = Build("10");

        Assert.NotNull(provider.GetRequiredService<ReleaseSelector>());
        Assert.Equal(10, provider.GetRequiredService<IOptions<ReleaseCatalogOptions>>().Value.CacheSeconds);
    }

    [Fact]
    public void AddReleaseSelection_CacheSecondsOutOfRange_FailsValidation()
    {
        using var provider = Build("7200");

        var error = Assert.Throws<OptionsValidationException>(() => provider.GetRequiredService<IOptions<ReleaseCatalogOptions>>().Value);

        Assert.Contains("Releases:CacheSeconds", error.Message);
    }
}
