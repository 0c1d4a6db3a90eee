using System.Collections;
using System.Reflection;
using System.Text.Json;
using System.Text.RegularExpressions;
using Provision.Tests.Functions;
using Provision.Tests.Infrastructure;

namespace Provision.Tests.Infra;

/// <summary>
/// Every setting the app binds is in local.settings.sample.json and in the Bicep app settings, and nothing
/// there is unused. The bound settings are derived from the options classes themselves and from the
/// <c>%…%</c> binding expressions in the built functions.metadata.
/// </summary>
public sealed partial class ConfigurationDriftTests
{
    /// <summary>Read by the Functions host or the AWS SDK, not by an options class; only for local runs.</summary>
    private static readonly string[] LocalHostSettings = ["AzureWebJobsStorage", "FUNCTIONS_WORKER_RUNTIME", "AZURE_FUNCTIONS_ENVIRONMENT", "AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY"];

    /// <summary>Read by the Functions host in Azure: its storage through the managed identity, and Application Insights.</summary>
    private static readonly string[] AzureHostSettings =
    [
        "AzureWebJobsStorage__credential", "AzureWebJobsStorage__clientId", "AzureWebJobsStorage__blobServiceUri",
        "AzureWebJobsStorage__queueServiceUri", "AzureWebJobsStorage__tableServiceUri",
        "APPLICATIONINSIGHTS_CONNECTION_STRING", "APPLICATIONINSIGHTS_AUTHENTICATION_STRING",
    ];

    /// <summary>Read by the .NET runtime itself, locally and in Azure.</summary>
    private static readonly string[] RuntimeSettings = ["DOTNET_GCgen0size"];

    /// <summary>Endpoint overrides that point at the AWS emulator; in Azure they stay unset so the real AWS endpoints apply.</summary>
    private static readonly string[] EmulatorOnlySettings = ["Aws__IotEndpoint", "Aws__IotDataEndpoint", "Aws__StsEndpoint"];

    [Fact]
    public void BoundSettings_FromOptionsClasses_CoverEveryConcern()
    {
        var sections = OptionsSettings().Select(s => s.Split("__")[0]).Distinct().Order();

        Assert.Equal(["Admin", "Aws", "AwsPacing", "Checkin", "Cloud", "Credentials", "FleetDevices", "Iot", "ProductRegistration", "Reissue", "Releases", "Reregistration", "Security", "Storage"], sections);
    }

    [Fact]
    public void Sample_HasEveryBoundSetting() =>
        Assert.Empty(BoundSettings().Except(SampleSettings()));

    [Fact]
    public void Sample_HasNothingUnused() =>
        Assert.Empty(SampleSettings().Except(BoundSettings()).Except(LocalHostSettings).Except(RuntimeSettings));

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

        Assert.Empty(bicep.Except(BoundSettings()).Except(AzureHostSettings).Except(RuntimeSettings));
        Assert.Empty(bicep.Intersect(EmulatorOnlySettings));
    }

    [Fact]
    public async Task RuntimeSettings_SameInSampleAndBicep()
    {
        var bicep = await BicepTemplateTests.AppSettingsAsync();
        using var sample = JsonDocument.Parse(await File.ReadAllTextAsync(Path.Combine(RepoPaths.Root, "local.settings.sample.json")));

        foreach (var name in RuntimeSettings)
        {
            Assert.Equal(sample.RootElement.GetProperty("Values").GetProperty(name).GetString(), bicep[name].Text);
        }
    }

    [Fact]
    public void Metadata_BindingExpressions_NameTheProvisioningQueueSetting() =>
        Assert.Equal(["ProvisionQueueName"], BindingExpressionSettings());

    [Fact]
    public async Task Metadata_BindingExpressions_NameFlatSettingsBicepSetsVerbatim()
    {
        // Flex Consumption's scale controller reads binding expressions raw: no Section:Key to Section__Key mapping.
        var bicep = (await BicepTemplateTests.AppSettingsAsync()).Keys;

        foreach (var name in BindingExpressionSettings())
        {
            Assert.Matches("^[A-Za-z][A-Za-z0-9]*$", name);
            Assert.Contains(name, bicep);
            Assert.Contains(name, SampleSettings());
        }
    }

    private static IReadOnlyList<string> BoundSettings() =>
        OptionsSettings().Concat(BindingExpressionSettings()).Order(StringComparer.Ordinal).ToList();

    /// <summary>Every setting named by a <c>%…%</c> expression in any binding of the built functions.metadata.</summary>
    private static IReadOnlyList<string> BindingExpressionSettings() =>
        FunctionsMetadataTests.Functions()
            .SelectMany(f => f.GetProperty("bindings").EnumerateArray())
            .SelectMany(b => b.EnumerateObject())
            .Where(p => p.Value.ValueKind == JsonValueKind.String)
            .SelectMany(p => BindingExpression().Matches(p.Value.GetString()!))
            .Select(m => m.Groups[1].Value)
            .Distinct()
            .Order(StringComparer.Ordinal)
            .ToList();

    [GeneratedRegex("%([^%]+)%")]
    private static partial Regex BindingExpression();

    /// <summary><c>Section__Property</c> for every public settable property of every options class (one with a <c>Section</c> constant).</summary>
    private static IReadOnlyList<string> OptionsSettings()
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
