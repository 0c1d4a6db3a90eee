using System.Collections;
using System.Reflection;
using System.Text.Json;
using Provision.Tests.Infrastructure;

namespace Provision.Tests.Infra;

/// <summary>
/// Every setting the app binds is in local.settings.sample.json and in the Bicep app settings, and nothing
/// there is unused. The bound settings are derived from the options classes themselves.
/// </summary>
public sealed class ConfigurationDriftTests
{
    /// <summary>Read by the Functions host or the AWS SDK, not by an options class; only for local runs.</summary>
    private static readonly string[] LocalHostSettings = ["AzureWebJobsStorage", "FUNCTIONS_WORKER_RUNTIME", "AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY"];

    /// <summary>Read by the Functions host in Azure: its storage through the managed identity, and Application Insights.</summary>
    private static readonly string[] AzureHostSettings =
    [
        "AzureWebJobsStorage__credential", "AzureWebJobsStorage__clientId", "AzureWebJobsStorage__blobServiceUri",
        "AzureWebJobsStorage__queueServiceUri", "AzureWebJobsStorage__tableServiceUri",
        "APPLICATIONINSIGHTS_CONNECTION_STRING", "APPLICATIONINSIGHTS_AUTHENTICATION_STRING",
    ];

    /// <summary>Endpoint overrides that point at the AWS emulator; in Azure they stay unset so the real AWS endpoints apply.</summary>
    private static readonly string[] EmulatorOnlySettings = ["Aws__IotEndpoint", "Aws__IotDataEndpoint", "Aws__StsEndpoint"];

    [Fact]
    public void BoundSettings_FromOptionsClasses_CoverEveryConcern()
    {
        var sections = BoundSettings().Select(s => s.Split("__")[0]).Distinct().Order();

        Assert.Equal(["Admin", "Aws", "Cloud", "Credentials", "Iot", "Releases", "Security", "Storage"], sections);
    }

    [Fact]
    public void Sample_HasEveryBoundSetting() =>
        Assert.Empty(BoundSettings().Except(SampleSettings()));

    [Fact]
    public void Sample_HasNothingUnused() =>
        Assert.Empty(SampleSettings().Except(BoundSettings()).Except(LocalHostSettings));

    [Fact]
    public async Task Bicep_HasEveryBoundSettingButEmulatorEndpoints()
    {
        var bicep = (await BicepTemplateTests.AppSettingsAsync()).Keys;

        Assert.Empty(BoundSettings().Except(EmulatorOnlySettings).Except(bicep));
    }

    [Fact]
    public async Task Bicep_HasNothingUnused()
    {
        var bicep = (await BicepTemplateTests.AppSettingsAsync()).Keys;

        Assert.Empty(bicep.Except(BoundSettings()).Except(AzureHostSettings));
        Assert.Empty(bicep.Intersect(EmulatorOnlySettings));
    }

    /// <summary><c>Section__Property</c> for every public settable property of every options class (one with a <c>Section</c> constant).</summary>
    private static IReadOnlyList<string> BoundSettings()
    {
        var assemblies = new[] { typeof(global::Provision.Core.ResultPage<>).Assembly, typeof(global::Provision.Functions.DeviceJson).Assembly };
        return assemblies.SelectMany(a => a.GetTypes())
            .Select(type => (type, section: type.GetField("Section", BindingFlags.Public | BindingFlags.Static)))
            .Where(t => t.section is { IsLiteral: true } && t.section.FieldType == typeof(string))
            .SelectMany(t => t.type.GetProperties(BindingFlags.Public | BindingFlags.Instance)
                .Where(p => p.SetMethod is { IsPublic: true })
                // A dictionary is a family of optional settings (e.g. Security__RetiredKeys__<id>), none required.
                .Where(p => !typeof(IDictionary).IsAssignableFrom(p.PropertyType))
                .Select(p => $"{t.section!.GetRawConstantValue()}__{p.Name}"))
            .Order(StringComparer.Ordinal)
            .ToList();
    }

    private static IReadOnlyList<string> SampleSettings()
    {
        using var sample = JsonDocument.Parse(File.ReadAllText(Path.Combine(RepoPaths.Root, "local.settings.sample.json")));
        return sample.RootElement.GetProperty("Values").EnumerateObject().Select(p => p.Name).ToList();
    }
}
