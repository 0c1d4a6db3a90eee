using System.Text.Json.Nodes;

namespace Provision.Tests.Infra;

public sealed class BicepTemplateTests
{
    private static readonly string[] KeyVaultReferencedSettings =
    [
        "Admin__BootstrapKey",
        "Security__KeyEncryptionKey",
    ];

    /// <summary>Regions offering Flex Consumption (as the azd Flex quickstart lists them).</summary>
    private static readonly string[] FlexConsumptionRegions =
    [
        "australiaeast", "centralindia", "centralus", "eastasia", "eastus", "eastus2", "francecentral", "germanywestcentral",
        "northcentralus", "northeurope", "southcentralus", "southeastasia", "swedencentral", "uksouth", "westcentralus", "westeurope", "westus2",
    ];

    private static readonly Lazy<Task<ArmTemplate>> MainTemplate = new(CompileMainAsync);

    public static TheoryData<string> EntryPoints => new() { "infra/main.bicep", "infra/resources.bicep" };

    public static TheoryData<string> BicepFiles
    {
        get
        {
            var data = new TheoryData<string>();
            foreach (var file in Directory.EnumerateFiles(BicepCli.InfraDirectory, "*.bicep", SearchOption.AllDirectories).Order())
            {
                data.Add(Path.GetRelativePath(BicepCli.RepositoryRoot, file));
            }

            return data;
        }
    }

    [Theory]
    [MemberData(nameof(EntryPoints))]
    public async Task Build_EntryPoint_SucceedsWithoutDiagnostics(string file)
    {
        var result = await BicepCli.RunAsync("build", file, "--stdout");

        Assert.True(result.ExitCode == 0, $"bicep build {file} exited {result.ExitCode}:\n{result.StandardError}");
        Assert.True(string.IsNullOrWhiteSpace(result.StandardError), $"bicep build {file} reported:\n{result.StandardError}");
        Assert.IsType<JsonObject>(JsonNode.Parse(result.StandardOutput));
    }

    [Theory]
    [MemberData(nameof(BicepFiles))]
    public async Task Lint_BicepFile_ReportsNothing(string file)
    {
        var result = await BicepCli.RunAsync("lint", file);

        Assert.True(result.ExitCode == 0, $"bicep lint {file} exited {result.ExitCode}:\n{result.StandardError}{result.StandardOutput}");
        Assert.True(
            string.IsNullOrWhiteSpace(result.StandardError + result.StandardOutput),
            $"bicep lint {file} reported:\n{result.StandardError}{result.StandardOutput}");
    }

    [Fact]
    public void Lint_Configuration_IsNextToTheTemplates()
    {
        var config = JsonNode.Parse(File.ReadAllText(Path.Combine(BicepCli.InfraDirectory, "bicepconfig.json")))!;

        Assert.True(config["analyzers"]!["core"]!["enabled"]!.GetValue<bool>());
        Assert.Equal("error", config["analyzers"]!["core"]!["rules"]!["no-unused-params"]!["level"]!.GetValue<string>());
    }

    [Fact]
    public async Task AppSettings_Compiled_OmitSettingsFlexConsumptionRejects()
    {
        var settings = await AppSettingsAsync();

        Assert.DoesNotContain("FUNCTIONS_WORKER_RUNTIME", settings.Select(s => s.Key));
        Assert.DoesNotContain("FUNCTIONS_EXTENSION_VERSION", settings.Select(s => s.Key));
        Assert.DoesNotContain("AzureWebJobsStorage", settings.Select(s => s.Key));
        Assert.DoesNotContain("WEBSITE_RUN_FROM_PACKAGE", settings.Select(s => s.Key));
    }

    [Fact]
    public async Task AppSettings_Storage_UseTheManagedIdentity()
    {
        var settings = await AppSettingsAsync();

        Assert.Equal("managedidentity", settings["AzureWebJobsStorage__credential"].Text);
        Assert.Contains("clientId", settings["AzureWebJobsStorage__clientId"].Text);
        Assert.Equal(settings["AzureWebJobsStorage__clientId"].Text, settings["Aws__ManagedIdentityClientId"].Text);
    }

    [Fact]
    public async Task AppSettings_Secrets_AreKeyVaultReferences()
    {
        var settings = await AppSettingsAsync();

        foreach (var name in KeyVaultReferencedSettings)
        {
            Assert.Contains("@Microsoft.KeyVault(SecretUri=", settings[name].Text);
        }
    }

    [Fact]
    public async Task AppSettings_ApplicationInsights_UseEntraAuthentication()
    {
        var settings = await AppSettingsAsync();

        var authentication = settings["APPLICATIONINSIGHTS_AUTHENTICATION_STRING"].Text;
        Assert.StartsWith("[format('ClientId={0};Authorization=AAD'", authentication);
    }

    [Fact]
    public async Task AppSettings_Defaults_MatchTheDesign()
    {
        var settings = await AppSettingsAsync();

        Assert.Equal("IotoDevicePolicy", settings["Iot__PolicyName"].Text);
        Assert.Equal("IotoDeviceRole", settings["Cloud__DeviceRole"].Text);
        Assert.Equal("api://AzureADTokenExchange", settings["Aws__WebIdentityAudience"].Text);
        Assert.Equal("7.00:00:00", settings["Security__KeyDeliveryWindow"].Text);
        Assert.Equal("", settings["Storage__TablePrefix"].Text);
        Assert.Equal("[parameters('awsAccountId')]", await DeclaredAppSettingAsync("Aws__AccountId"));
        Assert.Equal("[parameters('awsWebIdentityRoleArn')]", await DeclaredAppSettingAsync("Aws__WebIdentityRoleArn"));
    }

    [Fact]
    public async Task StorageAccount_Compiled_DisablesSharedKeyAccess()
    {
        var storage = (await MainTemplate.Value).Single("Microsoft.Storage/storageAccounts");

        Assert.False(storage.Value("properties.allowSharedKeyAccess").Bool);
        Assert.False(storage.Value("properties.allowBlobPublicAccess").Bool);
        Assert.Equal("TLS1_2", storage.Value("properties.minimumTlsVersion").Text);
    }

    [Fact]
    public async Task StorageAccount_Compiled_HasTheProvisioningQueues()
    {
        var template = await MainTemplate.Value;
        var queues = template.Single("Microsoft.Storage/storageAccounts/queueServices/queues");

        var queueNames = queues.Scope.Resolve(JsonValue.Create("[parameters('queueNames')]"));
        Assert.Equal("[variables('provisionQueueNames')]", queueNames.Text);
        var declared = queueNames.Scope.Template["variables"]!["provisionQueueNames"]!.AsArray().Select(Text);
        Assert.Equal(["[parameters('provisionQueue')]", "[format('{0}-poison', parameters('provisionQueue'))]"], declared);
        Assert.Equal("provision-things", Text(queueNames.Scope.Template["parameters"]!["provisionQueue"]!["defaultValue"]));
    }

    [Fact]
    public async Task Plan_Compiled_IsFlexConsumption()
    {
        var plan = (await MainTemplate.Value).Single("Microsoft.Web/serverfarms");

        Assert.Equal("FC1", plan.Value("sku.name").Text);
        Assert.Equal("FlexConsumption", plan.Value("sku.tier").Text);
        Assert.True(plan.Value("properties.reserved").Bool);
    }

    [Fact]
    public async Task FunctionApp_Compiled_RunsDotnetIsolated10()
    {
        var site = (await MainTemplate.Value).Single("Microsoft.Web/sites");

        Assert.Equal("dotnet-isolated", site.Value("properties.functionAppConfig.runtime.name").Text);
        Assert.Equal("10.0", site.Value("properties.functionAppConfig.runtime.version").Text);
        Assert.Equal("functionapp,linux", site.Value("kind").Text);
    }

    [Fact]
    public async Task FunctionApp_Compiled_UsesItsUserAssignedIdentityEverywhere()
    {
        var site = (await MainTemplate.Value).Single("Microsoft.Web/sites");

        var identityId = site.Value("properties.keyVaultReferenceIdentity").Text;
        Assert.Contains("Microsoft.ManagedIdentity/userAssignedIdentities", identityId);
        Assert.Equal("UserAssigned", site.Value("identity.type").Text);
        Assert.Equal(identityId, site.Scope.Resolve(JsonValue.Create("[parameters('identityId')]")).Text);
        Assert.Equal("UserAssignedIdentity", site.Value("properties.functionAppConfig.deployment.storage.authentication.type").Text);
        Assert.Equal(identityId, site.Value("properties.functionAppConfig.deployment.storage.authentication.userAssignedIdentityResourceId").Text);
        Assert.True(site.Value("properties.httpsOnly").Bool);
    }

    [Fact]
    public async Task KeyVault_Compiled_UsesRbacWithSoftDelete()
    {
        var vault = (await MainTemplate.Value).Single("Microsoft.KeyVault/vaults");

        Assert.True(vault.Value("properties.enableRbacAuthorization").Bool);
        Assert.True(vault.Value("properties.enableSoftDelete").Bool);
    }

    [Fact]
    public async Task Monitoring_Compiled_DisablesLocalAuthentication()
    {
        var template = await MainTemplate.Value;

        Assert.True(template.Single("Microsoft.Insights/components").Value("properties.DisableLocalAuth").Bool);
        Assert.True(template.Single("Microsoft.OperationalInsights/workspaces").Value("properties.features.disableLocalAuth").Bool);
    }

    [Theory]
    [InlineData("storageBlobDataOwner", "b7e6dc6d-f1e8-4753-8033-0f276bb0955b")]
    [InlineData("storageQueueDataContributor", "974c5e8b-45b9-4653-ba55-5f855dd0fb88")]
    [InlineData("storageTableDataContributor", "0a9a7e1f-b9d0-4cc4-a60d-0319b160aaa3")]
    [InlineData("keyVaultSecretsUser", "4633458b-17de-408a-b874-0445c86b69e6")]
    [InlineData("monitoringMetricsPublisher", "3913510d-42f4-4e42-8a64-420c390055eb")]
    public async Task RoleAssignments_Compiled_GrantTheIdentity(string role, string roleDefinitionId)
    {
        var assignments = (await MainTemplate.Value).ResourcesOfType("Microsoft.Authorization/roleAssignments")
            .Where(assignment => assignment.Node["condition"] is null)
            .ToList();

        var variables = assignments[0].Scope.Template["variables"]!;
        Assert.Equal(roleDefinitionId, Text(variables["roles"]![role]));
        var grantedRoles = assignments
            .Select(assignment => Text(assignment.Node["properties"]!["roleDefinitionId"]))
            .Concat(variables["storageRoles"]!.AsArray().Select(Text));
        Assert.Contains(grantedRoles, expression => expression.Contains($"variables('roles').{role}", StringComparison.Ordinal));
        Assert.All(assignments, assignment => Assert.Contains("userAssignedIdentities", assignment.Value("properties.principalId").Text));
    }

    [Fact]
    public async Task Parameters_Compiled_AllHaveAvmDescriptions()
    {
        var template = await MainTemplate.Value;

        foreach (var scope in template.Scopes())
        {
            foreach (var (name, parameter) in scope.Template["parameters"]?.AsObject() ?? [])
            {
                var description = Text(parameter!["metadata"]?["description"]);
                Assert.True(
                    description.StartsWith("Required. ", StringComparison.Ordinal) || description.StartsWith("Optional. ", StringComparison.Ordinal),
                    $"Parameter {name} needs a description starting with 'Required. ' or 'Optional. ', has '{description}'.");
                Assert.Equal(description.StartsWith("Optional. ", StringComparison.Ordinal), parameter.AsObject().ContainsKey("defaultValue"));
            }
        }
    }

    [Fact]
    public async Task ParametersFile_EveryEntry_MatchesMainTemplate()
    {
        var declared = (await MainTemplate.Value).Root["parameters"]!.AsObject();
        var file = JsonNode.Parse(File.ReadAllText(Path.Combine(BicepCli.InfraDirectory, "main.parameters.json")))!;
        var supplied = file["parameters"]!.AsObject().Select(p => p.Key).ToList();

        Assert.All(supplied, name => Assert.True(declared.ContainsKey(name), $"main.parameters.json sets {name}, which main.bicep does not declare."));
        var required = declared.Where(p => !p.Value!.AsObject().ContainsKey("defaultValue")).Select(p => p.Key);
        Assert.All(required, name => Assert.Contains(name, supplied));
    }

    [Fact]
    public async Task Parameters_Compiled_TakeNoSecret()
    {
        // Secrets are generated once in Key Vault by infra/hooks/write-secrets.sh, so no deployment can replace one.
        var template = await MainTemplate.Value;

        foreach (var scope in template.Scopes())
        {
            foreach (var (name, parameter) in scope.Template["parameters"]?.AsObject() ?? [])
            {
                Assert.NotEqual("securestring", Text(parameter!["type"]).ToLowerInvariant());
            }
        }
        Assert.Empty(template.ResourcesOfType("Microsoft.KeyVault/vaults/secrets"));
    }

    [Fact]
    public async Task AppSettings_KeyEncryptionKeys_ReferenceOneSecretPerKeyId()
    {
        var settings = await AppSettingsAsync();
        var variables = (await MainTemplate.Value).Scopes().Select(s => s.Template["variables"]?["keyVaultSecretNames"]).Single(v => v is not null)!;

        Assert.Contains("keyVaultSecretNames').keyEncryptionKey", settings["Security__KeyEncryptionKey"].Text);
        Assert.Equal("[format('key-encryption-key-{0}', parameters('keyEncryptionKeyId'))]", Text(variables["keyEncryptionKey"]));
        Assert.Equal("[format('key-encryption-key-{0}', parameters('previousKeyEncryptionKeyId'))]", Text(variables["previousKeyEncryptionKey"]));
        Assert.StartsWith("[if(empty(parameters('previousKeyEncryptionKeyId')), '', format('@Microsoft.KeyVault(SecretUri=", settings["Security__PreviousKeyEncryptionKey"].Text);
        Assert.Equal("[parameters('previousKeyEncryptionKeyId')]", await DeclaredAppSettingAsync("Security__PreviousKeyEncryptionKeyId"));
    }

    [Fact]
    public async Task Location_Allowed_IsTheFlexConsumptionRegions()
    {
        var template = await MainTemplate.Value;

        var entryPoints = template.Scopes().Where(s => s.Template["parameters"]?["environmentName"] is not null).ToList();
        Assert.Equal(2, entryPoints.Count);
        foreach (var scope in entryPoints)
        {
            Assert.Equal(FlexConsumptionRegions, scope.Template["parameters"]!["location"]!["allowedValues"]!.AsArray().Select(Text));
        }
    }

    [Theory]
    [InlineData("awsAccountId", 12, 12)]
    [InlineData("tablePrefix", null, 30)]
    [InlineData("provisionQueue", 3, 56)]
    [InlineData("keyEncryptionKeyId", 1, 32)]
    [InlineData("previousKeyEncryptionKeyId", null, 32)]
    public async Task Parameters_Lengths_MatchTheStartupRules(string name, int? minLength, int? maxLength)
    {
        var parameter = (await MainTemplate.Value).Root["parameters"]![name]!;

        Assert.Equal(minLength, parameter["minLength"]?.GetValue<int>());
        Assert.Equal(maxLength, parameter["maxLength"]?.GetValue<int>());
    }

    [Fact]
    public async Task AwsRegion_Allowed_EveryValuePassesTheAppsRule()
    {
        var allowed = (await MainTemplate.Value).Root["parameters"]!["awsRegion"]!["allowedValues"]!.AsArray().Select(Text).ToList();
        var rule = typeof(global::Provision.Core.Aws.AwsOptions).GetProperty("Region")!
            .GetCustomAttributes(typeof(System.ComponentModel.DataAnnotations.RegularExpressionAttribute), false)
            .Cast<System.ComponentModel.DataAnnotations.RegularExpressionAttribute>().Single();

        Assert.Contains("us-east-1", allowed);
        Assert.All(allowed, region => Assert.True(rule.IsValid(region), region));
    }

    [Fact]
    public async Task RequiredAwsParameters_HaveNoDefault()
    {
        var parameters = (await MainTemplate.Value).Root["parameters"]!;

        Assert.Null(parameters["awsAccountId"]!["defaultValue"]);
        Assert.Null(parameters["awsWebIdentityRoleArn"]!["defaultValue"]);
        Assert.Null(parameters["awsRegion"]!["defaultValue"]);
    }

    [Fact]
    public async Task PrincipalType_Default_IsEmptySoAnyPrincipalCanDeploy()
    {
        var template = await MainTemplate.Value;
        var operatorAssignment = template.ResourcesOfType("Microsoft.Authorization/roleAssignments").Single(a => a.Node["condition"] is not null);

        Assert.Equal("", Text(template.Root["parameters"]!["principalType"]!["defaultValue"]));
        Assert.Equal("[if(empty(parameters('operatorPrincipalType')), null(), parameters('operatorPrincipalType'))]",
            Text(operatorAssignment.Node["properties"]!["principalType"]));
    }

    [Fact]
    public async Task RoleAssignments_Names_AreSeededFromThePrincipalId()
    {
        var assignments = (await MainTemplate.Value).ResourcesOfType("Microsoft.Authorization/roleAssignments");

        Assert.All(assignments, assignment => Assert.Contains(
            assignment.Node["condition"] is null ? "parameters('identityPrincipalId')" : "parameters('operatorPrincipalId')",
            Text(assignment.Node["name"])));
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task BuildParams_VnetSetting_SucceedsWithoutDiagnostics(bool vnetEnabled)
    {
        var file = Path.Combine(BicepCli.InfraDirectory, $"test-vnet-{vnetEnabled.ToString().ToLowerInvariant()}-{Guid.NewGuid():N}.bicepparam");
        File.WriteAllText(file, $$"""
            using 'main.bicep'
            param environmentName = 'provision-test'
            param location = 'swedencentral'
            param awsRegion = 'eu-north-1'
            param awsAccountId = '123456789012'
            param awsWebIdentityRoleArn = 'arn:aws:iam::123456789012:role/ProvisionService'
            param vnetEnabled = {{vnetEnabled.ToString().ToLowerInvariant()}}
            """);
        try
        {
            var result = await BicepCli.RunAsync("build-params", file, "--stdout");

            Assert.True(result.ExitCode == 0 && string.IsNullOrWhiteSpace(result.StandardError), result.StandardError);
            Assert.Equal(vnetEnabled, JsonNode.Parse(result.StandardOutput)!["parametersJson"] is { } json
                && JsonNode.Parse(json.GetValue<string>())!["parameters"]!["vnetEnabled"]!["value"]!.GetValue<bool>());
        }
        finally
        {
            File.Delete(file);
        }
    }

    [Fact]
    public async Task Network_Compiled_OffByDefaultAndOnlyWhenVnetEnabled()
    {
        var template = await MainTemplate.Value;
        var network = template.ResourcesOfType("Microsoft.Resources/deployments").Single(d => Text(d.Node["name"]) == "network");

        Assert.False(template.Root["parameters"]!["vnetEnabled"]!["defaultValue"]!.GetValue<bool>());
        Assert.Equal("[parameters('vnetEnabled')]", Text(network.Node["condition"]));
    }

    [Fact]
    public async Task Network_Compiled_PrivateEndpointsForStorageAndKeyVaultWithDnsZones()
    {
        var template = await MainTemplate.Value;
        var endpoints = template.Single("Microsoft.Network/privateEndpoints");
        var declared = endpoints.Scope.Template["variables"]!["privateEndpoints"]!.AsArray();

        Assert.Equal(["blob", "queue", "table", "vault"], declared.Select(e => Text(e!["name"])));
        Assert.Equal("privatelink.vaultcore.azure.net", Text(declared[3]!["zone"]));
        Assert.Single(template.ResourcesOfType("Microsoft.Network/privateDnsZones"));
        Assert.Single(template.ResourcesOfType("Microsoft.Network/privateDnsZones/virtualNetworkLinks"));
        Assert.Single(template.ResourcesOfType("Microsoft.Network/privateEndpoints/privateDnsZoneGroups"));
        var subnets = template.Single("Microsoft.Network/virtualNetworks").Node["properties"]!["subnets"]!.AsArray();
        Assert.Equal("Microsoft.App/environments", Text(subnets[0]!["properties"]!["delegations"]![0]!["properties"]!["serviceName"]));
    }

    [Fact]
    public async Task Network_VnetEnabled_ClosesStorageAndIntegratesTheApp()
    {
        var template = await MainTemplate.Value;
        var storage = template.Single("Microsoft.Storage/storageAccounts");
        var site = template.Single("Microsoft.Web/sites");

        Assert.Equal("[if(parameters('privateNetworking'), 'Disabled', 'Enabled')]", Text(storage.Node["properties"]!["publicNetworkAccess"]));
        Assert.Equal("[if(parameters('privateNetworking'), 'Deny', 'Allow')]", Text(template.Single("Microsoft.KeyVault/vaults").Node["properties"]!["networkAcls"]!["defaultAction"]));
        Assert.Equal("[if(empty(parameters('virtualNetworkSubnetId')), null(), parameters('virtualNetworkSubnetId'))]", Text(site.Node["properties"]!["virtualNetworkSubnetId"]));
    }

    [Fact]
    public void AzureYaml_Hooks_WriteSecretsBeforeAndAfterProvisioning()
    {
        var yaml = File.ReadAllText(Path.Combine(BicepCli.RepositoryRoot, "azure.yaml"));

        Assert.Matches(@"preprovision:\s+shell: sh\s+run: \./infra/hooks/write-secrets\.sh", yaml);
        Assert.Matches(@"postprovision:\s+shell: sh\s+run: \./infra/hooks/write-secrets\.sh", yaml);
    }

    [Fact]
    public void AzureYaml_ApiService_IsTheFunctionApp()
    {
        var yaml = File.ReadAllLines(Path.Combine(BicepCli.RepositoryRoot, "azure.yaml")).Select(line => line.Trim()).ToList();

        Assert.Contains("api:", yaml);
        Assert.Contains("project: ./Provision.Functions", yaml);
        Assert.Contains("language: dotnet", yaml);
        Assert.Contains("host: function", yaml);
        Assert.True(File.Exists(Path.Combine(BicepCli.RepositoryRoot, "Provision.Functions", "Provision.Functions.csproj")));
    }

    internal static async Task<IReadOnlyDictionary<string, ArmValue>> AppSettingsAsync()
    {
        var config = (await MainTemplate.Value).ResourcesOfType("Microsoft.Web/sites/config")
            .Single(resource => Text(resource.Node["name"]).Contains("'appsettings'", StringComparison.Ordinal));
        var properties = config.Value("properties");
        Assert.True(properties.Node is JsonObject, $"App settings should compile to an object literal, found {properties}.");
        return properties.Properties();
    }

    /// <summary>An app setting as resources.bicep declares it, before parameters are resolved.</summary>
    private static async Task<string> DeclaredAppSettingAsync(string name) =>
        Text((await MainTemplate.Value).ResourcesOfType("Microsoft.Resources/deployments")
            .Select(d => d.Node["properties"]!["parameters"]?["appSettings"]?["value"])
            .Single(v => v is not null)![name]);

    private static async Task<ArmTemplate> CompileMainAsync()
    {
        var result = await BicepCli.RunAsync("build", "infra/main.bicep", "--stdout");
        Assert.True(result.ExitCode == 0, $"bicep build exited {result.ExitCode}:\n{result.StandardError}");
        return new ArmTemplate(JsonNode.Parse(result.StandardOutput)!.AsObject());
    }

    private static string Text(JsonNode? node) => node?.GetValue<string>() ?? "";
}
