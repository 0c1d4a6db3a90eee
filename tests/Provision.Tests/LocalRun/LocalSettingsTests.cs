using System.Diagnostics;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using Provision.Seed;
using Provision.Tests.Infrastructure;

namespace Provision.Tests.LocalRun;

public class LocalSettingsTests
{
    private static readonly string SamplePath = Path.Combine(RepoPaths.Root, "local.settings.sample.json");

    [Fact]
    public void Load_Sample_MapsSectionKeyNamesToConfigurationKeys()
    {
        var settings = LocalSettings.Load(SamplePath);

        Assert.Equal("http://127.0.0.1:4566", settings["Aws:IotEndpoint"]);
        Assert.Equal("UseDevelopmentStorage=true", settings["AzureWebJobsStorage"]);
        Assert.DoesNotContain(settings.Keys, key => key.Contains("__", StringComparison.Ordinal));
    }

    [Fact]
    public void Sample_AppContainer_ValidatesAtStartup()
    {
        using var services = TestHost.Build(LocalSettings.Load(SamplePath));

        services.GetRequiredService<IStartupValidator>().Validate();
    }

    [Fact]
    public void Sample_SeedContainer_ValidatesAtStartup()
    {
        using var services = SeedHost.Build(new ConfigurationBuilder().AddInMemoryCollection(LocalSettings.Load(SamplePath)).Build());

        Assert.NotNull(services.GetRequiredService<DemoSeed>());
    }

    [Fact]
    public void Load_MissingFile_SaysHowToCreateIt()
    {
        var error = Assert.Throws<FileNotFoundException>(() => LocalSettings.Load(Path.Combine(Path.GetTempPath(), Guid.NewGuid().ToString("N"), "local.settings.json")));

        Assert.Contains("local.settings.sample.json", error.Message);
    }

    [Fact]
    public void Scripts_AreValidBash()
    {
        foreach (var script in Directory.GetFiles(Path.Combine(RepoPaths.Root, "scripts"), "*.sh"))
        {
            var start = new ProcessStartInfo("bash") { RedirectStandardError = true, UseShellExecute = false };
            start.ArgumentList.Add("-n");
            start.ArgumentList.Add(script);
            using var bash = Process.Start(start)!;
            var errors = bash.StandardError.ReadToEnd();
            bash.WaitForExit();

            Assert.True(bash.ExitCode == 0, $"{script}: {errors}");
        }
    }
}
