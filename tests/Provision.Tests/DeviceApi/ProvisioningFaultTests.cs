using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Provision.Emulators.Aws;
using Provision.Core;
using Provision.Core.Devices;
using Provision.Core.Provisioning;
using Provision.Functions.Functions;
using Provision.Tests.Infrastructure;

namespace Provision.Tests.DeviceApi;

/// <summary>Whatever goes wrong, each device ends with one thing and one active certificate, or Failed with its reason.</summary>
public class ProvisioningFaultTests(AwsEmulatorFixture aws) : DeviceApiTestBase(aws)
{
    [Fact]
    public async Task Queue_SameMessageDeliveredTwice_OneThingOneActiveCertificate()
    {
        var (id, token) = await RegisterAsync();
        await ClaimAsync(id);
        await Services.GetRequiredService<Provision.Core.Storage.IProvisioningQueue>().EnqueueAsync(id);

        var deliveries = await Queue.RunAsync();

        Assert.Equal(2, deliveries);
        AssertProvisionedOnce(id);
        Assert.Equal(StatusCodes.Status200OK, (await GetCertsAsync(id, token)).Status);
    }

    [Fact]
    public async Task Queue_TwoDeliveriesAtOnce_OneActiveCertificate()
    {
        var (id, _) = await RegisterAsync();
        await ClaimAsync(id);
        var function = Function<ProvisionThingsFunction>();
        var message = $$"""{"deviceId":"{{id}}"}""";

        var runs = await Task.WhenAll(Capture(() => function.ProvisionThings(message, default)), Capture(() => function.ProvisionThings(message, default)));
        Assert.All(runs, e => Assert.True(e is null or ConcurrencyException, $"unexpected {e}"));
        await Queue.RunAsync();

        AssertProvisionedOnce(id);
        // A run that lost the race removed the certificate it had made.
        Assert.Single(ActiveCertificates());
    }

    [Fact]
    public async Task Queue_AnswerLostAfterCertificateCreated_OrphanCanNeverConnect()
    {
        var (id, token) = await RegisterAsync();
        await ClaimAsync(id);
        using var fault = Emulator.Faults.Inject("CreateKeysAndCertificate", FaultKind.DropConnection, times: 1);

        await Queue.RunAsync();

        // The first certificate exists in AWS but never reached the registry, and its key existed only in the lost answer.
        Assert.Equal(2, Emulator.Journal.Count("CreateKeysAndCertificate"));
        Assert.Equal(2, Emulator.State.Certificates.Values.Count(c => c.Created >= Started));
        AssertOrphansCanNeverConnect(id);
        AssertProvisionedOnce(id);
        Assert.Equal(StatusCodes.Status200OK, (await GetCertsAsync(id, token)).Status);
    }

    [Fact]
    public async Task Queue_CsrAnswerLost_OrphanStaysInactive()
    {
        var (id, token) = await RegisterAsync();
        await ClaimAsync(id);
        var (key, csr) = NewCsr(id);
        using (key)
        {
            Assert.Equal(StatusCodes.Status202Accepted, (await GetCertsAsync(id, token, csr)).Status);
        }
        using var fault = Emulator.Faults.Inject("CreateCertificateFromCsr", FaultKind.DropConnection, times: 1);

        await Queue.RunAsync();

        // The device holds this key, so the unrecorded certificate must never be active.
        Assert.Equal(2, Emulator.Journal.Count("CreateCertificateFromCsr"));
        Assert.Equal(2, Emulator.State.Certificates.Values.Count(c => c.Created >= Started));
        Assert.Single(ActiveCertificates());
        AssertProvisionedOnce(id);
    }

    [Fact]
    public async Task Queue_CrashBeforeCertificatePersisted_OrphanCanNeverConnect()
    {
        var (id, _) = await RegisterAsync();
        await ClaimAsync(id);
        // The process "dies" on the first update that records the certificate, before it is written.
        var crashed = 0;
        var crashing = new HookedDeviceStore(Services.GetRequiredService<IDeviceStore>())
        {
            BeforeUpdate = d => d.CertificateArn is not null && Interlocked.Exchange(ref crashed, 1) == 0
                ? throw new StorageUnavailableException("simulated crash before the write")
                : Task.CompletedTask,
        };
        var pipeline = ActivatorUtilities.CreateInstance<ProvisioningPipeline>(Services, (IDeviceStore)crashing);

        await Assert.ThrowsAsync<StorageUnavailableException>(() => pipeline.ProvisionAsync(id));
        await Queue.RunAsync();

        Assert.Equal(2, Emulator.State.Certificates.Values.Count(c => c.Created >= Started));
        AssertOrphansCanNeverConnect(id);
        AssertProvisionedOnce(id);
    }

    [Fact]
    public async Task Queue_CertificateRecordedButNotActivated_ResumedRunActivatesIt()
    {
        var (id, _) = await RegisterAsync();
        await ClaimAsync(id);
        // An attempt that recorded an inactive certificate and stopped (as one made from a CSR would be).
        var certificate = await Services.GetRequiredService<Provision.Core.Aws.IIotClient>().CreateKeysAndCertificateAsync(setAsActive: false);
        var device = (await Devices.GetAsync(id))!;
        device.MoveTo(DeviceState.Provisioning);
        device.CertificateId = certificate.CertificateId;
        device.CertificateArn = certificate.CertificateArn;
        device.CertificatePem = certificate.CertificatePem;
        await Devices.UpdateAsync(device);

        await Services.GetRequiredService<IProvisioningPipeline>().ProvisionAsync(id);

        AssertProvisionedOnce(id);
        Assert.Equal(certificate.CertificateId, (await Devices.GetAsync(id))!.CertificateId);
    }

    [Fact]
    public async Task Queue_ThrottledAndServerErrors_RetriedToSuccess()
    {
        var devices = new List<string>();
        for (var i = 0; i < 3; i++)
        {
            var (id, _) = await RegisterAsync();
            await ClaimAsync(id);
            devices.Add(id);
        }
        using var throttle = Emulator.Faults.Inject("AttachPolicy", FaultKind.Throttle, times: 2);
        using var unavailable = Emulator.Faults.Inject("CreateThing", FaultKind.ServiceUnavailable, times: 2);
        using var failure = Emulator.Faults.Inject("AttachThingPrincipal", FaultKind.InternalError, times: 1);

        await Queue.RunAsync();

        Assert.True(Emulator.Journal.CountErrors("AttachPolicy", "ThrottlingException") >= 2);
        foreach (var id in devices)
        {
            AssertProvisionedOnce(id);
        }
    }

    [Fact]
    public async Task Queue_ThrottledMoreThanRetriesAndDeliveries_RequeuedNeverFailed()
    {
        var (id, _) = await RegisterAsync();
        await ClaimAsync(id);
        // More throttled answers than the client's retries times the host's deliveries before poison.
        using var throttle = Emulator.Faults.Inject("CreateThing", FaultKind.Throttle, times: 30);

        await Queue.RunAsync(maxDeliveries: 50);

        Assert.Equal(30, Emulator.Journal.CountErrors("CreateThing", "ThrottlingException"));
        AssertProvisionedOnce(id);
    }

    [Fact]
    public async Task Queue_ConcurrentBurstAtAwsQuotas_EachDeviceProvisionedOnce()
    {
        var devices = new List<string>();
        for (var i = 0; i < 25; i++)
        {
            var (id, _) = await RegisterAsync();
            await ClaimAsync(id);
            devices.Add(id);
        }
        var pipeline = Services.GetRequiredService<IProvisioningPipeline>();
        // The shared emulator raises this quota for other tests' setup; here it is AWS's own.
        Emulator.Options.Quotas["AttachPolicy"] = 15;
        using var restore = new Restore(() => Emulator.Options.Quotas["AttachPolicy"] = 1000);

        // All at once, as a scaled-out host would: calls beyond the per-second quota are throttled, some past the client's retries…
        await Task.WhenAll(devices.Select(id => Capture(() => pipeline.ProvisionAsync(id))));
        // …and the host's redelivery of their messages finishes the work.
        await Queue.RunAsync(maxDeliveries: 200);

        foreach (var id in devices)
        {
            AssertProvisionedOnce(id);
        }
    }

    [Fact]
    public async Task Queue_AwsKeepsFailing_PoisonMarksDeviceFailedWithReason()
    {
        var (id, token) = await RegisterAsync();
        await ClaimAsync(id);
        using var fault = Emulator.Faults.Inject("CreateThing", FaultKind.ServiceUnavailable);

        await Queue.RunAsync();

        var device = (await Devices.GetAsync(id))!;
        Assert.Equal(DeviceState.Failed, device.State);
        Assert.Contains("CreateThing", device.FailureReason);
        var answer = await GetCertsAsync(id, token);
        Assert.Equal(StatusCodes.Status503ServiceUnavailable, answer.Status);
        Assert.Contains("Provisioning failed", answer.Error);
        Assert.NotEmpty(answer.Headers.RetryAfter.ToString());
        Assert.Empty(ActiveCertificates());
    }

    [Fact]
    public async Task GetCerts_ProvisioningFailedInAws_DeviceGetsAShortReasonOperatorsTheDetail()
    {
        var (id, token) = await RegisterAsync();
        await Services.GetRequiredService<Provision.Core.Aws.IIotClient>().CreateThingAsync(new(id, "another-product", "another-account"));
        await ClaimAsync(id);
        await Queue.RunAsync();

        var answer = await GetCertsAsync(id, token);

        Assert.Equal(StatusCodes.Status503ServiceUnavailable, answer.Status);
        Assert.Equal("Provisioning failed. The operator has been told and can retry it.", answer.Error);
        Assert.DoesNotContain("arn:aws", answer.Body.GetRawText());
        Assert.DoesNotContain(Emulator.AccountId, answer.Body.GetRawText());
        var detail = (await Services.GetRequiredService<Provision.Core.Admin.IDeviceAdmin>().GetAsync(id)).FailureReason;
        Assert.Contains("AlreadyExists", detail);
    }

    [Fact]
    public async Task Queue_ThingExistsWithOtherConfiguration_FailsAtOnceWithReason()
    {
        var (id, _) = await RegisterAsync();
        await Services.GetRequiredService<Provision.Core.Aws.IIotClient>().CreateThingAsync(new(id, "another-product", "another-account"));
        await ClaimAsync(id);

        var deliveries = await Queue.RunAsync();

        Assert.Equal(1, deliveries);
        var device = (await Devices.GetAsync(id))!;
        Assert.Equal(DeviceState.Failed, device.State);
        Assert.Contains("AlreadyExists", device.FailureReason);
        Assert.Empty(ActiveCertificates());
    }

    [Fact]
    public async Task DeviceCalls_StorageUnavailable_Answer503WithRetryAfter()
    {
        var settings = TestHost.Settings(Azurite.UnreachableConnectionString());
        foreach (var (key, value) in Aws.Settings())
        {
            settings[key] = value;
        }
        using var offline = TestHost.Build(settings, services =>
            services.AddSingleton<Amazon.Runtime.AWSCredentials>(new Amazon.Runtime.BasicAWSCredentials(Emulator.AccessKeyId, Emulator.SecretAccessKey)));

        var answers = new[]
        {
            await HttpCall.PostAsync(offline, ActivatorUtilities.CreateInstance<CheckinFunction>(offline).Checkin, new { id = "D1" }, "Bearer t"),
            await HttpCall.PostAsync(offline, ActivatorUtilities.CreateInstance<GetCertsFunction>(offline).GetCerts, new { id = "D1" }, "Bearer t"),
            await HttpCall.PostAsync(offline, ActivatorUtilities.CreateInstance<GetCredsFunction>(offline).GetCreds, new { id = "D1" }, "Bearer t"),
        };

        Assert.All(answers, a =>
        {
            Assert.Equal(StatusCodes.Status503ServiceUnavailable, a.Status);
            Assert.Equal("Storage is unavailable. Retry later.", a.Error);
            Assert.Equal("10", a.Headers.RetryAfter.ToString());
        });
    }

    [Fact]
    public async Task Queue_StorageUnavailable_ExceptionEscapesForHostRetry()
    {
        var settings = TestHost.Settings(Azurite.UnreachableConnectionString());
        foreach (var (key, value) in Aws.Settings())
        {
            settings[key] = value;
        }
        using var offline = TestHost.Build(settings, services =>
            services.AddSingleton<Amazon.Runtime.AWSCredentials>(new Amazon.Runtime.BasicAWSCredentials(Emulator.AccessKeyId, Emulator.SecretAccessKey)));
        var function = ActivatorUtilities.CreateInstance<ProvisionThingsFunction>(offline);

        await Assert.ThrowsAsync<StorageUnavailableException>(() => function.ProvisionThings("""{"deviceId":"D1"}""", default));
    }

    /// <summary>
    /// Every certificate made in this test other than the device's is attached to no thing and has no policy, so
    /// AWS IoT refuses it whatever client id it presents; nobody holds its key either.
    /// </summary>
    private void AssertOrphansCanNeverConnect(string id)
    {
        var recorded = Devices.GetAsync(id).GetAwaiter().GetResult()!.CertificateId;
        var orphans = Emulator.State.Certificates.Values.Where(c => c.Created >= Started && c.Id != recorded).ToList();
        Assert.NotEmpty(orphans);
        foreach (var orphan in orphans)
        {
            Assert.DoesNotContain(Emulator.State.Things.Values, t => t.Principals.Contains(orphan.Arn));
            Assert.Empty(Emulator.State.PoliciesAttachedTo(orphan.Arn));
            Assert.Equal(PolicyDecision.ImplicitDeny, Emulator.AuthorizeMqtt(orphan.Id, id, MqttAction.Connect));
        }
    }

    /// <summary>Provisioned, with exactly one thing and one active certificate, attached to it.</summary>
    private void AssertProvisionedOnce(string id)
    {
        var device = Devices.GetAsync(id).GetAwaiter().GetResult()!;
        Assert.Equal(DeviceState.Provisioned, device.State);
        Assert.True(Emulator.State.Things.ContainsKey(id));
        var attached = Assert.Single(ActiveAttachedCertificates(id));
        Assert.Equal(device.CertificateId, attached);
        Assert.Single(Emulator.State.Things[id].Principals);
        Assert.Contains(attached, ActiveCertificates().Select(c => c.Id));
    }

    private sealed class Restore(Action action) : IDisposable
    {
        public void Dispose() => action();
    }

    private static async Task<Exception?> Capture(Func<Task> action)
    {
        try
        {
            await action();
            return null;
        }
        catch (Exception e)
        {
            return e;
        }
    }
}
