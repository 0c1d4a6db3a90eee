using System.Text.Json;
using Provision.Tests.Infrastructure;

namespace Provision.Tests.Functions;

/// <summary>The build's functions.metadata is what the host reads: every route and trigger must be in it.</summary>
public class FunctionsMetadataTests
{
    private static readonly string OutputDir = Path.Combine(
        RepoPaths.Root, "Provision.Functions", "bin", BuildConfiguration, "net10.0");

#if DEBUG
    private const string BuildConfiguration = "Debug";
#else
    private const string BuildConfiguration = "Release";
#endif

    [Theory]
    [InlineData("Health", "httpTrigger", "get", "health")]
    public void Metadata_Function_HasTriggerMethodAndRoute(string name, string trigger, string method, string route)
    {
        var function = Functions().Single(f => f.GetProperty("name").GetString() == name);
        var binding = function.GetProperty("bindings").EnumerateArray().Single(b => b.GetProperty("type").GetString() == trigger);

        Assert.Equal(route, binding.GetProperty("route").GetString());
        Assert.Equal([method], binding.GetProperty("methods").EnumerateArray().Select(m => m.GetString()));
    }

    [Fact]
    public void HostJson_InOutput_IsTheRootFileWithEmptyRoutePrefixAndPlainQueueMessages()
    {
        var root = File.ReadAllText(Path.Combine(RepoPaths.Root, "host.json"));
        var output = File.ReadAllText(Path.Combine(OutputDir, "host.json"));
        Assert.Equal(root, output);

        using var host = JsonDocument.Parse(root);
        var extensions = host.RootElement.GetProperty("extensions");
        Assert.Equal("", extensions.GetProperty("http").GetProperty("routePrefix").GetString());
        // The producer sends with QueueMessageEncoding.None; the host must read the same way.
        Assert.Equal("none", extensions.GetProperty("queues").GetProperty("messageEncoding").GetString());
    }

    internal static List<JsonElement> Functions()
    {
        var path = Path.Combine(OutputDir, "functions.metadata");
        Assert.True(File.Exists(path), $"{path} is missing: build Provision.Functions first.");
        using var document = JsonDocument.Parse(File.ReadAllText(path));
        return document.RootElement.EnumerateArray().Select(e => e.Clone()).ToList();
    }
}
