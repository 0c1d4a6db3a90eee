using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Provision.Core.Admin;
using Provision.Emulators.Aws;
using Provision.Functions.Functions;
using Provision.Tests.Infrastructure;

namespace Provision.Tests.DeviceApi;

/// <summary>
/// What a provisioned device may do in AWS IoT with the built-in policy, decided by the emulator's policy evaluator over
/// the policy, certificate, thing and attributes the app created: everything the Ioto agent does, nothing on another device.
/// </summary>
public class DeviceConfinementTests(AwsEmulatorFixture aws) : DeviceApiTestBase(aws)
{
    private async Task<(string Id, string CertificateId)> ProvisionedAsync(string? id = null, string account = "ACCOUNT1")
    {
        var (deviceId, _) = await RegisterAsync(id);
        await ClaimAsync(deviceId, account);
        await Queue.RunAsync();
        return (deviceId, (await Devices.GetAsync(deviceId))!.CertificateId!);
    }

    private PolicyDecision As((string Id, string CertificateId) device, MqttAction action, string? topic = null) =>
        Emulator.AuthorizeMqtt(device.CertificateId, device.Id, action, topic);

    [Fact]
    public async Task Policy_AgentTopics_AreAllowed()
    {
        var x = await ProvisionedAsync(account: "ACME");
        var id = x.Id;

        Assert.Equal(PolicyDecision.Allow, As(x, MqttAction.Connect));
        foreach (var filter in new[] { $"ioto/device/{id}/#", "ioto/account/all/#", "ioto/account/ACME/#", $"ioto/device/{id}/provision/+",
                     $"ioto/device/{id}/mqtt/throttle", "ioto/account/all/sync/+", $"$aws/things/{id}/shadow/name/default/get/accepted" })
        {
            Assert.True(As(x, MqttAction.Subscribe, filter) == PolicyDecision.Allow, $"subscribe {filter}");
        }
        foreach (var topic in new[] { $"ioto/device/{id}/provision/release", "ioto/account/all/sync/1", "ioto/account/ACME/notice",
                     $"$aws/things/{id}/shadow/name/default/get/accepted" })
        {
            Assert.True(As(x, MqttAction.Receive, topic) == PolicyDecision.Allow, $"receive {topic}");
        }
        foreach (var topic in new[] { $"ioto/service/{id}/metric/get/7", $"$aws/rules/IotoDevice/ioto/service/{id}/store/set",
                     $"$aws/rules/IotoDevice/ioto/service/{id}/db/syncDown", $"$aws/things/{id}/shadow/name/default/update" })
        {
            Assert.True(As(x, MqttAction.Publish, topic) == PolicyDecision.Allow, $"publish {topic}");
        }
    }

    [Fact]
    public async Task Policy_AnotherDevicesTopics_AreDenied()
    {
        var x = await ProvisionedAsync(account: "ACME");
        var y = await ProvisionedAsync(account: "OTHER");
        var other = y.Id;

        Assert.NotEqual(PolicyDecision.Allow, As(x with { Id = other }, MqttAction.Connect));
        foreach (var filter in new[] { $"ioto/device/{other}/#", "ioto/account/OTHER/#", "ioto/device/+/#", "ioto/#", "#",
                     $"$aws/things/{other}/shadow/#", $"ioto/service/{other}/#" })
        {
            Assert.True(As(x, MqttAction.Subscribe, filter) != PolicyDecision.Allow, $"subscribe {filter}");
        }
        foreach (var topic in new[] { $"ioto/device/{other}/provision/release", $"ioto/service/{other}/x", "ioto/account/OTHER/notice",
                     $"$aws/things/{other}/shadow/name/default/update", $"$aws/rules/IotoDevice/ioto/service/{other}/store/set",
                     $"ioto/service/{x.Id}x/y" })
        {
            Assert.True(As(x, MqttAction.Publish, topic) != PolicyDecision.Allow, $"publish {topic}");
            Assert.True(As(x, MqttAction.Receive, topic) != PolicyDecision.Allow, $"receive {topic}");
        }
    }

    [Fact]
    public async Task Policy_DeviceNamedAfterATopicWord_CannotReachOtherDevices()
    {
        var y = await ProvisionedAsync();
        var named = await ProvisionedAsync("provision");

        // A device id that is a word of other devices' topics gains nothing: its name only counts at its own fixed position.
        Assert.NotEqual(PolicyDecision.Allow, As(named, MqttAction.Subscribe, "ioto/device/+/provision/#"));
        Assert.NotEqual(PolicyDecision.Allow, As(named, MqttAction.Subscribe, $"ioto/device/+/{named.Id}/#"));
        Assert.NotEqual(PolicyDecision.Allow, As(named, MqttAction.Publish, $"ioto/device/{y.Id}/{named.Id}/release"));
        Assert.NotEqual(PolicyDecision.Allow, As(named, MqttAction.Publish, $"ioto/device/{y.Id}/provision/release"));
        Assert.NotEqual(PolicyDecision.Allow, As(named, MqttAction.Receive, $"ioto/device/{y.Id}/{named.Id}/release"));
    }

    [Fact]
    public async Task Policy_ReleasedDevice_CanNoLongerConnect()
    {
        var x = await ProvisionedAsync();

        await Services.GetRequiredService<IDeviceAdmin>().ReleaseAsync(x.Id);

        Assert.NotEqual(PolicyDecision.Allow, As(x, MqttAction.Connect));
    }

    [Theory]
    [InlineData("+")]
    [InlineData("#")]
    [InlineData("$aws")]
    [InlineData("a/b")]
    [InlineData("dev*ce")]
    [InlineData("all")]
    [InlineData("ALL")]
    [InlineData("device")]
    public async Task Register_ReservedOrWildcardId_Answers400(string id)
    {
        await CreateProductAsync();

        var answer = await PostAsync(Function<RegisterFunction>().Register, new { id, product = ProductId }, $"Bearer {ProductToken}");

        Assert.Equal(StatusCodes.Status400BadRequest, answer.Status);
        Assert.Contains("A device id must be", answer.Error);
        if (id.IndexOfAny(['/', '#']) < 0)
        {
            Assert.Null(await Devices.GetAsync(id));
        }
    }
}
