using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Provision.Functions;
using Microsoft.Extensions.Options;
using Provision.Tests.Infrastructure;

namespace Provision.Tests.Functions;

public class StartupTests
{
    [Fact]
    public void Startup_AllSettings_Validates()
    {
        using var services = TestHost.Build(TestHost.Settings());

        services.GetRequiredService<IStartupValidator>().Validate();
    }

    [Fact]
    public void Startup_MissingStorage_FailsNamingTheSetting()
    {
        var settings = TestHost.Settings();
        settings.Remove("AzureWebJobsStorage");
        using var services = TestHost.Build(settings);

        var error = Assert.Throws<OptionsValidationException>(() => services.GetRequiredService<IStartupValidator>().Validate());

        Assert.Contains("AzureWebJobsStorage", error.Message);
    }

    [Fact]
    public void Startup_InvalidTablePrefix_FailsNamingTheSetting()
    {
        var settings = TestHost.Settings();
        settings["Storage:TablePrefix"] = "9-bad";
        using var services = TestHost.Build(settings);

        var error = Assert.Throws<OptionsValidationException>(() => services.GetRequiredService<IStartupValidator>().Validate());

        Assert.Contains("Storage:TablePrefix", error.Message);
    }

    [Fact]
    public void Startup_FlatQueueSetting_NamesTheProvisioningQueue()
    {
        var settings = TestHost.Settings();
        settings["ProvisionQueueName"] = "flat-queue";
        using var services = TestHost.Build(settings);

        Assert.Equal("flat-queue", services.GetRequiredService<IOptions<Provision.Core.Storage.StorageOptions>>().Value.ProvisionQueue);
    }

    [Fact]
    public void Startup_InvalidQueueName_FailsNamingTheFlatSetting()
    {
        var settings = TestHost.Settings();
        settings["ProvisionQueueName"] = "Bad--Queue";
        using var services = TestHost.Build(settings);

        var error = Assert.Throws<OptionsValidationException>(() => services.GetRequiredService<IStartupValidator>().Validate());

        Assert.Contains("ProvisionQueueName", error.Message);
    }

    [Theory]
    [InlineData("Microsoft.AspNetCore.Hosting.Diagnostics")]
    [InlineData("Microsoft.AspNetCore.Routing.EndpointMiddleware")]
    [InlineData("System.Net.Http.HttpClient.iot.LogicalHandler")]
    [InlineData("Microsoft.Azure.Functions.Worker.FunctionsApplication")]
    public void HotPathFilters_FrameworkCategory_LogsOnlyWarnings(string category)
    {
        using var factory = LoggerFactory.Create(logging => logging.SetMinimumLevel(LogLevel.Trace).AddProvider(new LogCapture()).AddHotPathFilters());

        var logger = factory.CreateLogger(category);

        Assert.Equal((false, true), (logger.IsEnabled(LogLevel.Information), logger.IsEnabled(LogLevel.Warning)));
    }

    [Fact]
    public void HotPathFilters_AppCategory_KeepsInformation()
    {
        using var factory = LoggerFactory.Create(logging => logging.SetMinimumLevel(LogLevel.Trace).AddProvider(new LogCapture()).AddHotPathFilters());

        Assert.True(factory.CreateLogger("Provision.Core.Provisioning.ProvisioningPipeline").IsEnabled(LogLevel.Information));
    }

    [Fact]
    public void HostJson_DeviceFunctions_LogOnlyWarnings()
    {
        using var hostJson = System.Text.Json.JsonDocument.Parse(File.ReadAllText(Path.Combine(RepoPaths.Root, "host.json")));
        var levels = hostJson.RootElement.GetProperty("logging").GetProperty("logLevel");

        foreach (var function in new[] { "Checkin", "TokProvisionUpdate", "GetCerts", "TokDeviceProvision", "GetCreds", "TokDeviceGetCreds", "Health" })
        {
            Assert.Equal("Warning", levels.GetProperty($"Function.{function}").GetString());
        }
    }
}
