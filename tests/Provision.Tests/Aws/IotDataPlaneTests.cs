using System.Text;
using Microsoft.Extensions.DependencyInjection;
using Provision.Core.Aws;
using Provision.Tests.Infrastructure;

namespace Provision.Tests.Aws;

public sealed class IotDataPlaneTests(AwsEmulatorFixture fixture) : AwsTestBase(fixture)
{
    [Fact]
    public async Task DescribeDataEndpoint_Always_ReturnsAtsEndpoint()
    {
        var endpoint = await Iot.DescribeDataEndpointAsync();

        Assert.Matches(@"^[a-z0-9]+-ats\.iot\.us-east-1\.amazonaws\.com$", endpoint);
    }

    [Fact]
    public async Task DescribeDataEndpoint_CalledTwice_AsksAwsOnce()
    {
        await Iot.DescribeDataEndpointAsync();

        await Iot.DescribeDataEndpointAsync();

        Assert.Equal(1, Emulator.Journal.Count("DescribeEndpoint"));
    }

    [Fact]
    public async Task DescribeDataEndpoint_Always_AsksForDataAtsType()
    {
        await Iot.DescribeDataEndpointAsync();

        Assert.Equal("endpointType=iot%3AData-ATS", Emulator.Journal.For("DescribeEndpoint").Single().Query);
    }

    [Fact]
    public async Task Publish_Message_DeliversPayloadToTopic()
    {
        var topic = $"ioto/device/{NewName()}/status";

        await Iot.PublishAsync(topic, Encoding.UTF8.GetBytes("{\"online\":true}"), qos: 1);

        var message = Emulator.State.PublishedMessages.Single(m => m.Topic == topic);
        Assert.Equal(("{\"online\":true}", 1), (Encoding.UTF8.GetString(message.Payload), message.Qos));
    }

    [Fact]
    public async Task Publish_Message_SignsForIotDataService()
    {
        await Iot.PublishAsync($"ioto/{NewName()}", "x"u8.ToArray());

        Assert.Contains("/iotdata/aws4_request", Emulator.Journal.For("Publish").Single().RequestHeaders["authorization"]);
    }

    [Fact]
    public async Task Publish_NoDataEndpointSetting_UsesDescribedEndpoint()
    {
        using var services = Fixture.CreateServices(s => s["Aws:IotDataEndpoint"] = null);
        var iot = services.GetRequiredService<IIotClient>();

        // The described host is not resolvable here, so the call fails after looking it up.
        await Assert.ThrowsAsync<AwsServiceException>(() => iot.PublishAsync("ioto/x", "x"u8.ToArray()));

        Assert.Equal((1, 0), (Emulator.Journal.Count("DescribeEndpoint"), Emulator.Journal.Count("Publish")));
    }
}
