using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using Provision.Core.Aws;

namespace Provision.Tests.Aws;

/// <summary>AddAwsIntegration binds and validates the Aws, Iot and Cloud settings.</summary>
public sealed class AwsIntegrationRegistrationTests
{
    [Fact]
    public void AddAwsIntegration_OnlyAccountId_AppliesAwsDefaults()
    {
        using var services = Build(new() { ["Aws:AccountId"] = "123456789012" });

        var aws = services.GetRequiredService<IOptions<AwsOptions>>().Value;

        Assert.Equal(("us-east-1", "api://AzureADTokenExchange", null), (aws.Region, aws.WebIdentityAudience, aws.WebIdentityRoleArn));
    }

    [Fact]
    public void AddAwsIntegration_OnlyAccountId_AppliesIotDefaults()
    {
        using var services = Build(new() { ["Aws:AccountId"] = "123456789012" });

        var iot = services.GetRequiredService<IOptions<IotOptions>>().Value;

        Assert.Equal(("IotoDevicePolicy", 443, null, null), (iot.PolicyName, iot.MqttPort, iot.ThingType, iot.ThingGroup));
    }

    [Fact]
    public void AddAwsIntegration_OnlyAccountId_AppliesCloudDefaults()
    {
        using var services = Build(new() { ["Aws:AccountId"] = "123456789012" });

        var cloud = services.GetRequiredService<IOptions<CloudOptions>>().Value;

        Assert.Equal(("IotoDeviceRole", 3600), (cloud.DeviceRole, cloud.CredentialsDurationSeconds));
    }

    [Fact]
    public void AddAwsIntegration_Settings_BindsSections()
    {
        using var services = Build(new()
        {
            ["Aws:AccountId"] = "123456789012",
            ["Aws:Region"] = "eu-central-1",
            ["Iot:ThingType"] = "IotoDevice",
            ["Cloud:CredentialsDurationSeconds"] = "7200",
        });

        var bound = (
            services.GetRequiredService<IOptions<AwsOptions>>().Value.Region,
            services.GetRequiredService<IOptions<IotOptions>>().Value.ThingType,
            services.GetRequiredService<IOptions<CloudOptions>>().Value.CredentialsDurationSeconds);

        Assert.Equal(("eu-central-1", "IotoDevice", 7200), bound);
    }

    [Theory]
    [InlineData("Aws:AccountId", "")]
    [InlineData("Aws:AccountId", "12345")]
    [InlineData("Aws:Region", "moon")]
    [InlineData("Aws:IotEndpoint", "not a url")]
    [InlineData("Aws:WebIdentityRoleArn", "ProvisionService")]
    [InlineData("Aws:MaxRetryAttempts", "11")]
    [InlineData("Iot:PolicyName", "bad policy")]
    [InlineData("Iot:MqttPort", "0")]
    [InlineData("Cloud:CredentialsDurationSeconds", "1799")]
    [InlineData("Cloud:CredentialsDurationSeconds", "43201")]
    [InlineData("Cloud:DeviceRole", "")]
    public void AddAwsIntegration_InvalidSetting_FailsStartupValidation(string key, string value)
    {
        using var services = Build(new() { ["Aws:AccountId"] = "123456789012", [key] = value });

        Assert.Throws<OptionsValidationException>(() => services.GetRequiredService<IStartupValidator>().Validate());
    }

    [Fact]
    public void AddAwsIntegration_ValidSettings_PassesStartupValidation()
    {
        using var services = Build(new() { ["Aws:AccountId"] = "123456789012" });

        var error = Record.Exception(() => services.GetRequiredService<IStartupValidator>().Validate());

        Assert.Null(error);
    }

    [Fact]
    public void AddAwsIntegration_Always_RegistersIotClient()
    {
        using var services = Build(new() { ["Aws:AccountId"] = "123456789012" });

        Assert.IsType<IotHttpClient>(services.GetRequiredService<IIotClient>());
    }

    private static ServiceProvider Build(Dictionary<string, string?> settings)
    {
        var services = new ServiceCollection();
        services.AddSingleton<IConfiguration>(new ConfigurationBuilder().AddInMemoryCollection(settings).Build());
        services.AddLogging();
        services.AddAwsIntegration();
        return services.BuildServiceProvider();
    }
}
