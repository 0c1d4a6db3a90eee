using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using Microsoft.Extensions.DependencyInjection;
using Provision.Emulators.Aws;
using Provision.Core.Aws;
using Provision.Tests.Infrastructure;

namespace Provision.Tests.Aws;

/// <summary>Error mapping and retry rules, with faults injected by the emulator (the default client retries 3 times).</summary>
public sealed class IotResilienceTests(AwsEmulatorFixture fixture) : AwsTestBase(fixture)
{
    [Fact]
    public async Task DescribeThing_ThrottledTwice_SucceedsThroughRetries()
    {
        var thing = await CreateThingAsync();
        using var fault = Emulator.Faults.Inject("DescribeThing", FaultKind.Throttle, times: 2);

        await Iot.DescribeThingAsync(thing.ThingName);

        Assert.Equal((3, 1), (Emulator.Journal.Count("DescribeThing"), Emulator.Journal.CountSucceeded("DescribeThing")));
    }

    [Fact]
    public async Task DescribeThing_AlwaysThrottled_ThrowsThrottled()
    {
        var thing = await CreateThingAsync();
        using var fault = Emulator.Faults.Inject("DescribeThing", FaultKind.Throttle);

        var error = await Assert.ThrowsAsync<AwsServiceException>(() => Iot.DescribeThingAsync(thing.ThingName));

        Assert.Equal((AwsErrorKind.Throttled, "ThrottlingException"), (error.Kind, error.ErrorCode));
    }

    [Fact]
    public async Task DescribeThing_AlwaysThrottled_GivesUpAfterConfiguredRetries()
    {
        var thing = await CreateThingAsync();
        using var fault = Emulator.Faults.Inject("DescribeThing", FaultKind.Throttle);

        await Assert.ThrowsAsync<AwsServiceException>(() => Iot.DescribeThingAsync(thing.ThingName));

        Assert.Equal(4, Emulator.Journal.Count("DescribeThing"));
    }

    [Fact]
    public async Task DescribeThing_ServiceUnavailableOnce_SucceedsThroughRetry()
    {
        var thing = await CreateThingAsync();
        using var fault = Emulator.Faults.Inject("DescribeThing", FaultKind.ServiceUnavailable, times: 1);

        var described = await Iot.DescribeThingAsync(thing.ThingName);

        Assert.Equal(thing.ThingId, described.ThingId);
    }

    [Fact]
    public async Task DescribeThing_AlwaysServiceUnavailable_ThrowsServiceUnavailable()
    {
        var thing = await CreateThingAsync();
        using var fault = Emulator.Faults.Inject("DescribeThing", FaultKind.ServiceUnavailable);

        var error = await Assert.ThrowsAsync<AwsServiceException>(() => Iot.DescribeThingAsync(thing.ThingName));

        Assert.Equal((AwsErrorKind.ServiceUnavailable, 503), (error.Kind, error.StatusCode));
    }

    [Fact]
    public async Task DescribeThing_AlwaysInternalError_ThrowsServiceUnavailable()
    {
        var thing = await CreateThingAsync();
        using var fault = Emulator.Faults.Inject("DescribeThing", FaultKind.InternalError);

        var error = await Assert.ThrowsAsync<AwsServiceException>(() => Iot.DescribeThingAsync(thing.ThingName));

        Assert.Equal((AwsErrorKind.ServiceUnavailable, "InternalFailureException"), (error.Kind, error.ErrorCode));
    }

    [Fact]
    public async Task DescribeThing_ConnectionDroppedOnce_SucceedsThroughRetry()
    {
        var thing = await CreateThingAsync();
        using var fault = Emulator.Faults.Inject("DescribeThing", FaultKind.DropConnection, times: 1);

        var described = await Iot.DescribeThingAsync(thing.ThingName);

        Assert.Equal(thing.ThingId, described.ThingId);
    }

    [Fact]
    public async Task DescribeThing_SlowerThanAttemptTimeoutOnce_SucceedsThroughRetry()
    {
        using var services = Fixture.CreateServices(s => s["Aws:AttemptTimeout"] = "00:00:01");
        var iot = services.GetRequiredService<IIotClient>();
        var thing = await CreateThingAsync();
        using var fault = Emulator.Faults.Inject("DescribeThing", FaultKind.Latency, times: 1, latency: TimeSpan.FromSeconds(30));

        var described = await iot.DescribeThingAsync(thing.ThingName);

        Assert.Equal(thing.ThingId, described.ThingId);
    }

    [Fact]
    public async Task CreateKeysAndCertificate_ConnectionDroppedAfterWork_ThrowsOutcomeUnknown()
    {
        using var fault = Emulator.Faults.Inject("CreateKeysAndCertificate", FaultKind.DropConnection, times: 1);

        var error = await Assert.ThrowsAsync<AwsServiceException>(() => Iot.CreateKeysAndCertificateAsync(setAsActive: true));

        Assert.Equal(AwsErrorKind.OutcomeUnknown, error.Kind);
    }

    [Fact]
    public async Task CreateKeysAndCertificate_ConnectionDroppedAfterWork_CreatesExactlyOneCertificate()
    {
        var before = Emulator.State.Certificates.Count;
        using var fault = Emulator.Faults.Inject("CreateKeysAndCertificate", FaultKind.DropConnection, times: 1);

        await Assert.ThrowsAsync<AwsServiceException>(() => Iot.CreateKeysAndCertificateAsync(setAsActive: true));

        Assert.Equal((1, before + 1), (Emulator.Journal.CountSucceeded("CreateKeysAndCertificate"), Emulator.State.Certificates.Count));
    }

    [Fact]
    public async Task CreateKeysAndCertificate_SlowerThanAttemptTimeout_ThrowsOutcomeUnknownWithoutRepeating()
    {
        using var services = Fixture.CreateServices(s => s["Aws:AttemptTimeout"] = "00:00:01");
        var iot = services.GetRequiredService<IIotClient>();
        using var fault = Emulator.Faults.Inject("CreateKeysAndCertificate", FaultKind.Latency, times: 1, latency: TimeSpan.FromSeconds(30));

        var error = await Assert.ThrowsAsync<AwsServiceException>(() => iot.CreateKeysAndCertificateAsync(setAsActive: true));
        // On a busy machine the emulator may finish the work after the client gave up: wait for it, so
        // the count below is final and the late call cannot land in the next test's journal.
        await WaitUntilAsync(() => Emulator.Journal.CountSucceeded("CreateKeysAndCertificate") > 0, TimeSpan.FromSeconds(60));

        Assert.Equal((AwsErrorKind.OutcomeUnknown, 1), (error.Kind, Emulator.Journal.Count("CreateKeysAndCertificate")));
    }

    private static async Task WaitUntilAsync(Func<bool> condition, TimeSpan limit)
    {
        var deadline = DateTime.UtcNow + limit;
        while (!condition() && DateTime.UtcNow < deadline)
        {
            await Task.Delay(50);
        }
    }

    [Fact]
    public async Task CreateKeysAndCertificate_ThrottledOnce_SucceedsThroughRetryWithOneCertificate()
    {
        using var fault = Emulator.Faults.Inject("CreateKeysAndCertificate", FaultKind.Throttle, times: 1);

        await Iot.CreateKeysAndCertificateAsync(setAsActive: true);

        Assert.Equal((1, 1), (Emulator.Journal.CountErrors("CreateKeysAndCertificate", "ThrottlingException"), Emulator.Journal.CountSucceeded("CreateKeysAndCertificate")));
    }

    [Fact]
    public async Task CreateCertificateFromCsr_ConnectionDroppedAfterWork_ThrowsOutcomeUnknown()
    {
        using var key = RSA.Create(2048);
        var csr = new CertificateRequest("CN=device-1", key, HashAlgorithmName.SHA256, RSASignaturePadding.Pkcs1).CreateSigningRequestPem();
        using var fault = Emulator.Faults.Inject("CreateCertificateFromCsr", FaultKind.DropConnection, times: 1);

        var error = await Assert.ThrowsAsync<AwsServiceException>(() => Iot.CreateCertificateFromCsrAsync(csr, setAsActive: true));

        Assert.Equal((AwsErrorKind.OutcomeUnknown, 1), (error.Kind, Emulator.Journal.CountSucceeded("CreateCertificateFromCsr")));
    }

    [Fact]
    public async Task ListThingPrincipals_BurstAboveQuota_AllSucceedThroughRetries()
    {
        // An emulator of its own, so that the burst does not drain the quota other tests use.
        await using var emulator = await AwsEmulator.StartAsync();
        using var services = Fixture.CreateServices(s =>
        {
            s["Aws:IotEndpoint"] = emulator.BaseAddress.ToString();
            s["Aws:MaxRetryAttempts"] = "8";
            s["Aws:RetryBaseDelay"] = "00:00:00.100";
        });
        var iot = services.GetRequiredService<IIotClient>();
        var thing = await iot.CreateThingAsync(new IotThingSpec(NewName(), "prod1", "acct1"));

        // ListThingPrincipals allows 10 calls per second; 30 at once must wait for the quota to refill.
        var results = await Task.WhenAll(Enumerable.Range(0, 30).Select(_ => iot.ListThingPrincipalsAsync(thing.ThingName)));

        Assert.Equal((30, true), (results.Length, emulator.Journal.CountErrors("ListThingPrincipals", "ThrottlingException") > 0));
    }

    [Fact]
    public async Task Publish_AlwaysThrottled_ThrowsThrottled()
    {
        using var fault = Emulator.Faults.Inject("Publish", FaultKind.Throttle);

        var error = await Assert.ThrowsAsync<AwsServiceException>(() => Iot.PublishAsync("ioto/x", "x"u8.ToArray()));

        Assert.Equal((AwsErrorKind.Throttled, 429), (error.Kind, error.StatusCode));
    }

    [Fact]
    public async Task DescribeThing_CallerCancels_ThrowsOperationCanceled()
    {
        var thing = await CreateThingAsync();
        using var fault = Emulator.Faults.Inject("DescribeThing", FaultKind.Latency, latency: TimeSpan.FromSeconds(5));
        using var cancellation = new CancellationTokenSource();
        var call = Iot.DescribeThingAsync(thing.ThingName, cancellation.Token);

        await cancellation.CancelAsync();

        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => call);
    }

    [Theory]
    [InlineData("ResourceNotFoundException", 404, AwsErrorKind.NotFound)]
    [InlineData("ResourceAlreadyExistsException", 409, AwsErrorKind.AlreadyExists)]
    [InlineData("ThrottlingException", 400, AwsErrorKind.Throttled)]
    [InlineData("Throttling", 400, AwsErrorKind.Throttled)]
    [InlineData("InvalidRequestException", 400, AwsErrorKind.InvalidRequest)]
    [InlineData("UnauthorizedException", 401, AwsErrorKind.Unauthorized)]
    [InlineData("InvalidSignatureException", 403, AwsErrorKind.Unauthorized)]
    [InlineData("VersionConflictException", 409, AwsErrorKind.Conflict)]
    [InlineData("CertificateStateException", 406, AwsErrorKind.Conflict)]
    [InlineData("LimitExceededException", 410, AwsErrorKind.LimitExceeded)]
    [InlineData("ServiceUnavailableException", 503, AwsErrorKind.ServiceUnavailable)]
    [InlineData("InternalFailureException", 500, AwsErrorKind.ServiceUnavailable)]
    [InlineData(null, 502, AwsErrorKind.ServiceUnavailable)]
    [InlineData(null, 429, AwsErrorKind.Throttled)]
    public void KindOf_ErrorCode_MapsToKind(string? code, int status, AwsErrorKind expected)
    {
        Assert.Equal(expected, AwsServiceException.KindOf(code, status));
    }

    [Theory]
    [InlineData("CreateThing", 100)]
    [InlineData("AttachThingPrincipal", 100)]
    [InlineData("AttachPolicy", 15)]
    [InlineData("DescribeThing", 350)]
    [InlineData("ListThingPrincipals", 10)]
    [InlineData("GetPolicy", 10)]
    public void EmulatorQuotas_Default_MatchAwsDefaults(string operation, double perSecond)
    {
        Assert.Equal(perSecond, AwsEmulator.DefaultQuotas[operation]);
    }
}
