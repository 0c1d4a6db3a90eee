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
    [InlineData("Health", "get", "health")]
    [InlineData("Checkin", "post", "provision/checkin")]
    [InlineData("GetCerts", "post", "provision/getCerts")]
    [InlineData("GetCreds", "post", "provision/getCreds")]
    [InlineData("TokDeviceProvision", "post", "tok/device/provision")]
    [InlineData("TokDeviceGetCreds", "post", "tok/device/getCreds")]
    [InlineData("TokProvisionUpdate", "post", "tok/provision/update")]
    [InlineData("TokProvisionUpdateReport", "post", "tok/provision/updateReport")]
    [InlineData("Register", "post", "device/register")]
    public void Metadata_HttpFunction_HasMethodRouteAndAnonymousLevel(string name, string method, string route)
    {
        var binding = Trigger(name, "httpTrigger");

        Assert.Equal(route, binding.GetProperty("route").GetString());
        Assert.Equal([method], binding.GetProperty("methods").EnumerateArray().Select(m => m.GetString()));
        Assert.Equal("Anonymous", binding.GetProperty("authLevel").GetString());
    }

    [Theory]
    [InlineData("ProvisionThings", "%ProvisionQueueName%")]
    [InlineData("ProvisionThingsPoison", "%ProvisionQueueName%-poison")]
    public void Metadata_QueueFunction_ListensOnProvisioningQueue(string name, string queue)
    {
        var binding = Trigger(name, "queueTrigger");

        Assert.Equal(queue, binding.GetProperty("queueName").GetString());
        Assert.Equal("AzureWebJobsStorage", binding.GetProperty("connection").GetString());
    }

    [Fact]
    public void Metadata_KeyPurge_IsATimer() =>
        Assert.Equal("0 */15 * * * *", Trigger("PurgeDeliveredKeys", "timerTrigger").GetProperty("schedule").GetString());

    [Fact]
    public async Task Publish_Output_HasTheRootHostJsonAndNoLocalSettings()
    {
        var output = Path.Combine(Path.GetTempPath(), "provision-publish-" + Guid.NewGuid().ToString("N"));
        try
        {
            var start = new System.Diagnostics.ProcessStartInfo("dotnet")
            {
                RedirectStandardOutput = true,
                RedirectStandardError = true,
                WorkingDirectory = RepoPaths.Root,
            };
            foreach (var arg in new[] { "publish", "Provision.Functions", "--no-build", "--configuration", BuildConfiguration, "--output", output, "--nologo" })
            {
                start.ArgumentList.Add(arg);
            }
            using var publish = System.Diagnostics.Process.Start(start)!;
            var log = await publish.StandardOutput.ReadToEndAsync() + await publish.StandardError.ReadToEndAsync();
            await publish.WaitForExitAsync();

            Assert.True(publish.ExitCode == 0, log);
            Assert.Equal(File.ReadAllText(Path.Combine(RepoPaths.Root, "host.json")), File.ReadAllText(Path.Combine(output, "host.json")));
            Assert.True(File.Exists(Path.Combine(output, "functions.metadata")));
            Assert.False(File.Exists(Path.Combine(output, "local.settings.json")));
        }
        finally
        {
            if (Directory.Exists(output))
            {
                Directory.Delete(output, recursive: true);
            }
        }
    }

    private static JsonElement Trigger(string function, string type)
    {
        var entry = Functions().SingleOrDefault(f => f.GetProperty("name").GetString() == function);
        Assert.True(entry.ValueKind == JsonValueKind.Object, $"{function} is not in functions.metadata");
        return entry.GetProperty("bindings").EnumerateArray().Single(b => b.GetProperty("type").GetString() == type);
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
