using System.Text.Json.Nodes;
using Provision.Tests.Aws;

namespace Provision.Tests.Infra;

/// <summary>The IAM documents docs/deploy.md has operators create (infra/aws) match what the service calls.</summary>
public sealed class AwsPolicyDocumentTests
{
    [Fact]
    public void ServiceRolePolicy_AllowsEveryIotOperationThePortCalls()
    {
        var allowed = Statements("service-role-policy.json").SelectMany(s => Values(s["Action"])).ToHashSet();

        Assert.All(AwsModelContractTests.PortOperations, operation => Assert.Contains($"iot:{operation}", allowed));
        Assert.Contains("sts:AssumeRole", allowed);
        Assert.Contains("sts:TagSession", allowed);
    }

    [Fact]
    public void DeviceRoleTrust_LetsTheServiceRoleAssumeAndTag()
    {
        var statement = Assert.Single(Statements("device-role-trust-policy.json"));

        Assert.Equal(["sts:AssumeRole", "sts:TagSession"], Values(statement["Action"]));
        Assert.EndsWith(":role/ProvisionService", statement["Principal"]!["AWS"]!.GetValue<string>());
    }

    private static List<JsonNode> Statements(string file) =>
        JsonNode.Parse(File.ReadAllText(Path.Combine(BicepCli.InfraDirectory, "aws", file)))!["Statement"]!.AsArray().Select(s => s!).ToList();

    private static List<string> Values(JsonNode? node) =>
        node is JsonArray array ? array.Select(v => v!.GetValue<string>()).ToList() : [node!.GetValue<string>()];
}
