using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Provision.Core.Aws;
using Provision.Core.Devices;
using Provision.Core.Products;
using Provision.Core.Security;
using Provision.Core.Storage;

namespace Provision.Core.Provisioning;

public interface IProvisioningPipeline
{
    /// <summary>Makes a claimed device Provisioned; safe to run twice, and to resume after dying at any line.</summary>
    Task ProvisionAsync(string deviceId, CancellationToken cancellationToken = default);

    /// <summary>Gives up on a device whose provisioning kept failing (its message went to the poison queue).</summary>
    Task MarkFailedAsync(string deviceId, CancellationToken cancellationToken = default);
}

/// <summary>
/// The steps of provisioning, each idempotent. A certificate is persisted as soon as AWS answers, and no certificate
/// the registry does not hold can ever connect: one made from the device's CSR is created inactive and activated only
/// once it is on record (the device holds its key, so a lost answer must leave it unusable); one with a key made by AWS
/// is created active, because its key exists only in AWS's answer, so a lost answer leaves a certificate nobody can
/// present (and with no policy and no thing), and each device saves the 10-a-second UpdateCertificate call.
/// Throttling by AWS puts the device back on the queue with a delay instead of failing the attempt, so it never
/// counts toward the poison limit. Products are cached briefly: a thousand devices of one product claimed at once
/// read it once.
/// </summary>
public sealed class ProvisioningPipeline(
    IDeviceStore devices,
    IProductStore products,
    IIotClient iot,
    IPrivateKeyProtector keys,
    IProvisioningQueue queue,
    IOptions<IotOptions> iotOptions,
    IOptions<SecurityOptions> securityOptions,
    IOptions<AwsPacingOptions> pacingOptions,
    TimeProvider clock,
    ILogger<ProvisioningPipeline> log) : IProvisioningPipeline
{
    private static readonly TimeSpan ProductCacheTime = TimeSpan.FromSeconds(30);
    private readonly System.Collections.Concurrent.ConcurrentDictionary<string, (Product? Product, DateTimeOffset Until)> _products = new(StringComparer.Ordinal);

    /// <summary>How long a retired certificate stays (inactive, detached) before it is deleted: AWS detaches asynchronously.</summary>
    public static readonly TimeSpan RetiredCertificateGrace = TimeSpan.FromMinutes(10);

    public async Task ProvisionAsync(string deviceId, CancellationToken cancellationToken = default)
    {
        var device = await devices.GetAsync(deviceId, cancellationToken);
        if (device is null || device.State is not (DeviceState.Claimed or DeviceState.Provisioning))
        {
            // Provisioned already, released or deleted since the message was sent: nothing to do.
            log.LogInformation("Skipped provisioning {DeviceId}: state is {State}", deviceId, device?.State.ToString() ?? "deleted");
            return;
        }

        try
        {
            await RunStepsAsync(device, cancellationToken);
        }
        catch (CsrRefusedException e)
        {
            // Never replayed: the device, or a retry by the operator, starts again without it.
            await FailAsync(deviceId, e.Message, cancellationToken, forgetCsr: true);
        }
        catch (AwsServiceException e) when (e.Kind == AwsErrorKind.Throttled)
        {
            // Throttled past the client's retries: try again later, without counting toward the poison limit.
            var delay = pacingOptions.Value.ThrottledDelay;
            await queue.EnqueueAsync(deviceId, cancellationToken, delay);
            log.LogWarning("Provisioning {DeviceId} was throttled by AWS; queued again in {Delay}", deviceId, delay);
        }
        catch (AwsServiceException e) when (e.Kind is AwsErrorKind.InvalidRequest or AwsErrorKind.AlreadyExists or AwsErrorKind.LimitExceeded)
        {
            // Retrying cannot help: fail now, with the reason, and consume the message.
            await FailAsync(deviceId, Reason(e), cancellationToken);
        }
        catch (ConcurrencyException)
        {
            await ForgetThingIfReleasedAsync(device, cancellationToken);
            throw;
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            await RecordReasonAsync(deviceId, Reason(e), cancellationToken);
            throw;
        }
    }

    /// <summary>
    /// Another writer changed the device during this run. When that was a release, the thing this run created may have
    /// come after the release removed it, and nobody would ever delete it: remove it now (best effort; a release still
    /// under way deletes it anyway, and a thing that still has a certificate attached is refused by AWS and left to it).
    /// </summary>
    private async Task ForgetThingIfReleasedAsync(Device started, CancellationToken cancellationToken)
    {
        var now = await devices.GetAsync(started.Id, cancellationToken);
        if (now is null || now.State is DeviceState.Releasing or DeviceState.Released)
        {
            var thingName = started.ThingName ?? started.Id;
            await IgnoreAwsErrorsAsync(() => iot.DeleteThingAsync(thingName, cancellationToken));
            log.LogInformation("Removed thing {ThingName}: {DeviceId} was released while it was being provisioned", thingName, started.Id);
        }
    }

    public async Task MarkFailedAsync(string deviceId, CancellationToken cancellationToken = default)
    {
        var device = await devices.GetAsync(deviceId, cancellationToken);
        await FailAsync(deviceId, device?.FailureReason ?? "Provisioning failed after repeated attempts.", cancellationToken);
    }

    private async Task RunStepsAsync(Device device, CancellationToken cancellationToken)
    {
        if (device.State == DeviceState.Claimed)
        {
            // Written with the certificate (or at the end): one registry write fewer per device.
            device.MoveTo(DeviceState.Provisioning);
        }

        var product = await GetProductAsync(device.ProductId, cancellationToken);
        var settings = iotOptions.Value;
        var thingName = device.ThingName ?? device.Id;
        var thingType = NullIfBlank(product?.ThingType);
        var thingGroup = NullIfBlank(product?.ThingGroup) ?? NullIfBlank(settings.ThingGroup);
        var policyName = NullIfBlank(product?.PolicyName) ?? settings.PolicyName;

        await iot.CreateThingAsync(new IotThingSpec(thingName, device.ProductId, device.AccountId!, thingType), cancellationToken);
        if (thingGroup is not null)
        {
            await iot.AddThingToThingGroupAsync(thingName, thingGroup, cancellationToken);
        }

        var createdActive = false;
        if (device.CertificateArn is null)
        {
            (device, createdActive) = await CreateCertificateAsync(device, thingName, cancellationToken);
        }

        // The client checks each policy once per process (GetPolicy allows 10 calls a second).
        await iot.EnsurePolicyAsync(policyName, cancellationToken);
        await iot.AttachPolicyAsync(policyName, device.CertificateArn!, cancellationToken);
        await iot.AttachThingPrincipalAsync(thingName, device.CertificateArn!, cancellationToken);
        if (!createdActive)
        {
            // A CSR certificate, or one recorded by an earlier attempt: activating twice is harmless.
            await iot.UpdateCertificateAsync(device.CertificateId!, IotCertificateStatus.Active, cancellationToken);
        }

        if (device.PreviousCertificateArn is { } previousArn)
        {
            await RetireAsync(thingName, policyName, device.PreviousCertificateId!, previousArn, cancellationToken);
            if (device.RetiredCertificateId is { } older)
            {
                // Two re-issues within the grace: the older one is long detached.
                await IgnoreNotFoundAsync(() => iot.DeleteCertificateAsync(older, forceDelete: true, cancellationToken));
            }
            device.RetiredCertificateId = device.PreviousCertificateId;
            device.RetiredCertificateDeleteAfter = clock.GetUtcNow() + RetiredCertificateGrace;
            device.PreviousCertificateId = null;
            device.PreviousCertificateArn = null;
        }

        device.MoveTo(DeviceState.Provisioned);
        device.FailureReason = null;
        await devices.UpdateAsync(device, cancellationToken);
        log.LogInformation("Provisioned {DeviceId} as thing {ThingName} with certificate {CertificateId}", device.Id, thingName, device.CertificateId);
    }

    private async Task<Product?> GetProductAsync(string productId, CancellationToken cancellationToken)
    {
        var now = clock.GetUtcNow();
        if (_products.TryGetValue(productId, out var cached) && cached.Until > now)
        {
            return cached.Product;
        }
        var product = await products.GetAsync(productId, cancellationToken);
        _products[productId] = (product, now + ProductCacheTime);
        return product;
    }

    /// <summary>Creates the device's certificate (active only when AWS made its key) and records it at once.</summary>
    private async Task<(Device Device, bool Active)> CreateCertificateAsync(Device device, string thingName, CancellationToken cancellationToken)
    {
        var fromCsr = device.PendingCsr is not null;
        IotCertificate certificate;
        try
        {
            certificate = fromCsr
                ? await iot.CreateCertificateFromCsrAsync(device.PendingCsr!, setAsActive: false, cancellationToken)
                : await iot.CreateKeysAndCertificateAsync(setAsActive: true, cancellationToken);
        }
        catch (AwsServiceException e) when (fromCsr && e.Kind == AwsErrorKind.InvalidRequest)
        {
            throw new CsrRefusedException($"AWS IoT refused the certificate signing request ({e.Message}). Send a new csr with getCerts.", e);
        }

        device.ThingName = thingName;
        device.CertificateId = certificate.CertificateId;
        device.CertificateArn = certificate.CertificateArn;
        device.CertificatePem = certificate.CertificatePem;
        device.CertificateFromCsr = fromCsr;
        device.PendingCsr = null;
        device.EncryptedPrivateKey = certificate.PrivateKeyPem is { } key ? keys.Protect(key, device.Id) : null;
        device.KeyPurgeAfter = certificate.PrivateKeyPem is null ? null : clock.GetUtcNow() + securityOptions.Value.KeyDeliveryWindow;
        try
        {
            // Persist at once: a later run reuses this certificate instead of minting another.
            return (await devices.UpdateAsync(device, cancellationToken), !fromCsr);
        }
        catch (ConcurrencyException)
        {
            // Another run got there first; this certificate was never attached, so remove it (AWS deletes only inactive ones).
            await IgnoreAwsErrorsAsync(async () =>
            {
                if (!fromCsr)
                {
                    await iot.UpdateCertificateAsync(certificate.CertificateId, IotCertificateStatus.Inactive, cancellationToken);
                }
                await iot.DeleteCertificateAsync(certificate.CertificateId, cancellationToken: cancellationToken);
            });
            throw;
        }
    }

    private async Task RetireAsync(string thingName, string policyName, string certificateId, string certificateArn, CancellationToken cancellationToken)
    {
        await IgnoreNotFoundAsync(() => iot.UpdateCertificateAsync(certificateId, IotCertificateStatus.Inactive, cancellationToken));
        await IgnoreNotFoundAsync(() => iot.DetachThingPrincipalAsync(thingName, certificateArn, cancellationToken));
        await IgnoreNotFoundAsync(() => iot.DetachPolicyAsync(policyName, certificateArn, cancellationToken));
        log.LogInformation("Retired certificate {CertificateId} of thing {ThingName}", certificateId, thingName);
    }

    private async Task FailAsync(string deviceId, string reason, CancellationToken cancellationToken, bool forgetCsr = false)
    {
        var device = await devices.GetAsync(deviceId, cancellationToken);
        if (device is null || !DeviceStates.CanMove(device.State, DeviceState.Failed))
        {
            return;
        }
        device.MoveTo(DeviceState.Failed);
        device.FailureReason = reason;
        if (forgetCsr)
        {
            device.PendingCsr = null;
        }
        await devices.UpdateAsync(device, cancellationToken);
        log.LogWarning("Provisioning {DeviceId} failed: {Reason}", deviceId, reason);
    }

    // Best effort: the reason helps the operator; the retry must not depend on writing it.
    private async Task RecordReasonAsync(string deviceId, string reason, CancellationToken cancellationToken)
    {
        try
        {
            var device = await devices.GetAsync(deviceId, cancellationToken);
            if (device is not null && device.FailureReason != reason)
            {
                device.FailureReason = reason;
                await devices.UpdateAsync(device, cancellationToken);
            }
        }
        catch (Exception e) when (e is StorageUnavailableException or ConcurrencyException)
        {
            log.LogWarning("Could not record the provisioning failure of {DeviceId}", deviceId);
        }
    }

    private static string Reason(Exception e) => e switch
    {
        AwsServiceException aws => aws.Message,
        StorageUnavailableException => "Storage was unavailable.",
        _ => "Unexpected error while provisioning.",
    };

    private static string? NullIfBlank(string? value) => string.IsNullOrWhiteSpace(value) ? null : value;

    private static async Task IgnoreNotFoundAsync(Func<Task> call)
    {
        try
        {
            await call();
        }
        catch (AwsServiceException e) when (e.Kind == AwsErrorKind.NotFound)
        {
        }
    }

    private static async Task IgnoreAwsErrorsAsync(Func<Task> call)
    {
        try
        {
            await call();
        }
        catch (AwsServiceException)
        {
        }
    }

    private sealed class CsrRefusedException(string message, Exception inner) : Exception(message, inner);
}
