using Microsoft.Extensions.DependencyInjection;
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
}
