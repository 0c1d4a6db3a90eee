using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Provision.Core.Admin;
using Provision.Core.Devices;
using Provision.Emulators.Aws;
using Provision.Functions.Functions;
using Provision.Tests.Infrastructure;

namespace Provision.Tests.DeviceApi;

/// <summary>
/// Release and delete while the device keeps calling: AWS latency on one step of the clean-up opens a window in which
/// check-ins write the device and getCerts asks for a re-issue, on Azurite and the AWS emulator.
/// </summary>
public class ReleaseRaceTests(AwsEmulatorFixture aws) : DeviceApiTestBase(aws)
{
    private static readonly TimeSpan Window = TimeSpan.FromSeconds(1.5);

    private IDeviceAdmin Admin => Services.GetRequiredService<IDeviceAdmin>();

    private Task<HttpAnswer> CheckinAsync(string id, string token, string version) =>
        PostAsync(Function<CheckinFunction>().Checkin, new { id, version, seen = version }, $"Bearer {token}");

    /// <summary>Runs <paramref name="operatorAction"/> with <paramref name="slowStep"/> slowed down, and <paramref name="meanwhile"/> once that step has begun.</summary>
    private async Task RaceAsync(string slowStep, Func<Task> operatorAction, Func<Task> meanwhile)
    {
        using var slow = Emulator.Faults.Inject(slowStep, FaultKind.Latency, times: 1, latency: Window);
        var running = operatorAction();
        await WaitForAsync(() => Emulator.Journal.Count(slowStep) > 0);
        await meanwhile();
        await running;
    }

    private static async Task WaitForAsync(Func<bool> condition)
    {
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(10);
        while (!condition())
        {
            Assert.True(DateTime.UtcNow < deadline, "The slowed step never started.");
            await Task.Delay(20);
        }
    }

    [Fact]
    public async Task Release_WhileProvisioningRunIsUnderWay_LeavesNoThingOrCertificate()
    {
        var (id, _) = await RegisterAsync();
        await ClaimAsync(id);
        // The provisioning run has read the device (Claimed); the operator releases it before the run reaches AWS.
        var released = 0;
        var store = new HookedDeviceStore(Services.GetRequiredService<IDeviceStore>());
        store.AfterGet = async device =>
        {
            if (device?.State == DeviceState.Claimed && Interlocked.Exchange(ref released, 1) == 0)
            {
                await Admin.ReleaseAsync(id);
            }
        };
        var pipeline = ActivatorUtilities.CreateInstance<Provision.Core.Provisioning.ProvisioningPipeline>(Services, (IDeviceStore)store);

        await Assert.ThrowsAsync<Provision.Core.ConcurrencyException>(() => pipeline.ProvisionAsync(id));

        // The run created the thing and a certificate after the release had cleaned up; it removed both.
        Assert.Equal(1, Emulator.Journal.CountSucceeded("CreateThing"));
        Assert.Equal(DeviceState.Released, (await Devices.GetAsync(id))!.State);
        Assert.False(Emulator.State.Things.ContainsKey(id));
        Assert.DoesNotContain(Emulator.State.Certificates.Values, c => c.Created >= Started);
    }

    [Fact]
    public async Task Release_CheckinsDuringAwsCleanup_EndsReleasedAndCleaned()
    {
        var (id, token) = await ProvisionedDeviceAsync();
        var certificate = (await Devices.GetAsync(id))!.CertificateId!;

        await RaceAsync("DeleteThing", () => Admin.ReleaseAsync(id), async () =>
        {
            Assert.Equal(StatusCodes.Status200OK, (await CheckinAsync(id, token, "1.0.1")).Status);
            Assert.Equal(StatusCodes.Status200OK, (await CheckinAsync(id, token, "1.0.2")).Status);
        });

        var device = (await Devices.GetAsync(id))!;
        Assert.Equal(DeviceState.Released, device.State);
        Assert.Null(device.CertificateId);
        Assert.False(Emulator.State.Certificates.ContainsKey(certificate));
        Assert.False(Emulator.State.Things.ContainsKey(id));
        Assert.Equal(StatusCodes.Status401Unauthorized, (await GetCertsAsync(id, token)).Status);
    }

    [Fact]
    public async Task Release_ReissueAskedDuringRelease_OldOwnerGetsNoCertificate()
    {
        var (id, token) = await ProvisionedDeviceAsync();
        var (_, csr) = NewCsr(id);
        HttpAnswer? reissue = null;

        await RaceAsync("Publish", () => Admin.ReleaseAsync(id), async () => reissue = await GetCertsAsync(id, token, csr));
        await Queue.RunAsync();

        Assert.NotEqual(StatusCodes.Status200OK, reissue!.Status);
        Assert.NotEqual(StatusCodes.Status202Accepted, reissue.Status);
        Assert.Equal(DeviceState.Released, (await Devices.GetAsync(id))!.State);
        Assert.Empty(ActiveCertificates());
        Assert.Equal(0, Emulator.Journal.Count("CreateCertificateFromCsr"));
    }

    [Fact]
    public async Task Release_GetCertsDuringRelease_HandsOutNoCertificate()
    {
        var (id, token) = await ProvisionedDeviceAsync();
        HttpAnswer? during = null;

        await RaceAsync("DeleteCertificate", () => Admin.ReleaseAsync(id), async () => during = await GetCertsAsync(id, token));

        Assert.Equal(StatusCodes.Status403Forbidden, during!.Status);
        Assert.Equal(DeviceState.Released, (await Devices.GetAsync(id))!.State);
    }

    [Fact]
    public async Task Delete_CheckinsDuringAwsCleanup_RemovesDeviceAndAwsResources()
    {
        var (id, token) = await ProvisionedDeviceAsync();
        var certificate = (await Devices.GetAsync(id))!.CertificateId!;

        await RaceAsync("DeleteThing", () => Admin.DeleteAsync(id), async () =>
        {
            await CheckinAsync(id, token, "1.0.1");
            await CheckinAsync(id, token, "1.0.2");
        });

        Assert.Null(await Devices.GetAsync(id));
        Assert.False(Emulator.State.Certificates.ContainsKey(certificate));
        Assert.False(Emulator.State.Things.ContainsKey(id));
    }

    [Fact]
    public async Task Release_Repeated_IsIdempotent()
    {
        var (id, _) = await ProvisionedDeviceAsync();

        var first = await Admin.ReleaseAsync(id);
        var second = await Admin.ReleaseAsync(id);

        Assert.Equal(DeviceState.Released, first.State);
        Assert.Equal(DeviceState.Released, second.State);
        Assert.False(Emulator.State.Things.ContainsKey(id));
    }
}
