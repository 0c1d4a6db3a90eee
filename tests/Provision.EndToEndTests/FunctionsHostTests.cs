using Microsoft.Extensions.Logging;
using Provision.EndToEndTests.Infrastructure;
using Provision.FunctionsHost;
using Provision.Tests.Infrastructure;

namespace Provision.EndToEndTests;

/// <summary>The host emulator's own behaviour: start failures, host.json and its overrides.</summary>
public sealed class FunctionsHostTests
{
    [Fact]
    public async Task StartAsync_WorkerFailsOnStart_FailsWithTheWorkersOutput()
    {
        var start = Provision.FunctionsHost.FunctionsHost.StartAsync(new FunctionsHostOptions
        {
            AppDirectory = AppFixture.AppDirectory,
            SettingsFile = Path.Combine(RepoPaths.Root, "local.settings.sample.json"),
            Settings = new Dictionary<string, string?> { ["AzureWebJobsStorage"] = null },
        });

        var failure = await Assert.ThrowsAsync<InvalidOperationException>(() => start);

        Assert.True(failure.Message.Contains("exited", StringComparison.Ordinal), failure.Message);
        Assert.True(failure.Message.Contains("AzureWebJobsStorage is not set", StringComparison.Ordinal), failure.Message);
    }

    [Fact]
    public void Load_AppHostJsonWithOverride_QueueSettingsAndLevelsAsConfigured()
    {
        var settings = new HostSettings(null, new Dictionary<string, string?>
        {
            ["AzureFunctionsJobHost__extensions__queues__maxDequeueCount"] = "2",
        });

        var hostJson = HostJson.Load(AppFixture.AppDirectory, settings);

        Assert.Equal("", hostJson.RoutePrefix);
        Assert.Equal(2, hostJson.Queues.MaxDequeueCount);
        Assert.Equal(16, hostJson.Queues.BatchSize);
        Assert.False(hostJson.Queues.Base64);
        Assert.Equal(TimeSpan.FromMinutes(5), hostJson.FunctionTimeout);
        Assert.Equal(LogLevel.Warning, hostJson.MinimumLevel("Azure.Core.Pipeline"));
    }

    [Fact]
    public void Resolve_BindingExpression_NamesTheSettingWithEitherSeparator()
    {
        var settings = new HostSettings(null, new Dictionary<string, string?> { ["Storage__ProvisionQueue"] = "things" });

        Assert.Equal("things-poison", settings.Resolve("%Storage:ProvisionQueue%-poison"));
        Assert.Throws<InvalidOperationException>(() => settings.Resolve("%Missing%"));
    }
}
