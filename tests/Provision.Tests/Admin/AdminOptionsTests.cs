using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using Provision.Tests.Infrastructure;

namespace Provision.Tests.Admin;

public class AdminOptionsTests
{
    [Fact]
    public void Startup_MissingBootstrapKey_FailsNamingTheSetting()
    {
        var settings = TestHost.Settings();
        settings.Remove("Admin:BootstrapKey");
        using var services = TestHost.Build(settings);

        var error = Assert.Throws<OptionsValidationException>(() => services.GetRequiredService<IStartupValidator>().Validate());

        Assert.Contains("Admin:BootstrapKey is required", error.Message);
    }

    [Fact]
    public void Startup_ShortBootstrapKey_FailsNamingTheMinimumLength()
    {
        var settings = TestHost.Settings();
        settings["Admin:BootstrapKey"] = "short";
        using var services = TestHost.Build(settings);

        var error = Assert.Throws<OptionsValidationException>(() => services.GetRequiredService<IStartupValidator>().Validate());

        Assert.Contains("Admin:BootstrapKey must be at least 32 characters", error.Message);
    }
}
