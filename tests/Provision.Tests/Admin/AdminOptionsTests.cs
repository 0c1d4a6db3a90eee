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

    [Theory]
    [InlineData("local-only-bootstrap-key-replace-with-openssl-rand-base64-32")]
    [InlineData("correct horse battery staple correct horse battery")]
    [InlineData("AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA")]
    [InlineData("0123456789abcdef0123456789abcdef0123456789abcdef")]
    public void Startup_ReadableBootstrapKeyInAzure_FailsAskingFor256RandomBits(string key)
    {
        var settings = TestHost.Settings();
        settings["Admin:BootstrapKey"] = key;
        using var services = TestHost.Build(settings);

        var error = Assert.Throws<OptionsValidationException>(() => services.GetRequiredService<IStartupValidator>().Validate());

        Assert.Contains("Admin:BootstrapKey must hold at least 256 random bits", error.Message);
    }

    [Fact]
    public void Startup_SampleBootstrapKeyInLocalDevelopment_Validates()
    {
        var settings = TestHost.Settings();
        settings["Admin:BootstrapKey"] = "local-only-bootstrap-key-replace-with-openssl-rand-base64-32";
        settings["AZURE_FUNCTIONS_ENVIRONMENT"] = "Development";
        using var services = TestHost.Build(settings);

        services.GetRequiredService<IStartupValidator>().Validate();
    }

    [Fact]
    public void Startup_OpensslRandomBootstrapKey_Validates()
    {
        var settings = TestHost.Settings();
        settings["Admin:BootstrapKey"] = Convert.ToBase64String(System.Security.Cryptography.RandomNumberGenerator.GetBytes(32));
        using var services = TestHost.Build(settings);

        services.GetRequiredService<IStartupValidator>().Validate();
    }
}
