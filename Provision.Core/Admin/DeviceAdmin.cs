using System.Text.Json;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Provision.Core.Aws;
using Provision.Core.Devices;
using Provision.Core.Products;
using Provision.Core.Provisioning;
using Provision.Core.Security;

namespace Provision.Core.Admin;

/// <summary>A device and its token, which is shown once and never stored.</summary>
public sealed record DeviceWithToken(Device Device, string Token)
{
    public override string ToString() => $"DeviceWithToken {{ Id = {Device.Id} }}";
}

public interface IDeviceAdmin
{
    /// <summary>Adds a device to the product; without an id, a claim id of random base32 characters is generated.</summary>
    Task<DeviceWithToken> CreateAsync(string productId, string? deviceId, CancellationToken cancellationToken = default);

    /// <summary>Adds every valid row of a CSV or JSON list; bad rows are reported, not written.</summary>
    Task<DeviceImportReport> ImportAsync(string productId, DeviceImportFormat format, string content, CancellationToken cancellationToken = default);

    Task<Device> GetAsync(string deviceId, CancellationToken cancellationToken = default);
    Task<ResultPage<Device>> ListAsync(string productId, DeviceState? state, int pageSize, string? continuationToken, CancellationToken cancellationToken = default);
    Task<Device> ClaimAsync(string deviceId, string accountId, CancellationToken cancellationToken = default);

    /// <summary>
    /// Takes the device back from its owner: tells its agent to re-provision, removes its certificate and thing
    /// from AWS IoT and marks it Released. Its token stops working; the agent registers again.
    /// </summary>
    Task<Device> ReleaseAsync(string deviceId, CancellationToken cancellationToken = default);

    Task<Device> RetryAsync(string deviceId, CancellationToken cancellationToken = default);
    Task<DeviceWithToken> RotateTokenAsync(string deviceId, CancellationToken cancellationToken = default);

    /// <summary>Removes the device from the registry, and its certificate and thing from AWS IoT.</summary>
    Task DeleteAsync(string deviceId, CancellationToken cancellationToken = default);
}

public sealed class DeviceAdmin(
    IDeviceStore devices,
    IProductStore products,
    IClaimService claims,
    IIotClient iot,
    IOptions<IotOptions> iotOptions,
    TimeProvider clock,
    ILogger<DeviceAdmin> log) : IDeviceAdmin
{
    /// <summary>Length of a generated claim id: 50 random bits.</summary>
    public const int ClaimIdLength = 10;

    public const int MaxImportRows = 1000;

    public async Task<DeviceWithToken> CreateAsync(string productId, string? deviceId, CancellationToken cancellationToken = default)
    {
        if (deviceId is not null)
        {
            DeviceIds.Validate(deviceId);
        }
        await RequireProductAsync(productId, cancellationToken);
        var token = Tokens.New();
        var device = await devices.CreateAsync(NewDevice(deviceId ?? Tokens.Base32(ClaimIdLength), productId, token), cancellationToken);
        log.LogInformation("Created device {DeviceId} for {ProductId}", device.Id, productId);
        return new DeviceWithToken(device, token);
    }

    public async Task<DeviceImportReport> ImportAsync(string productId, DeviceImportFormat format, string content, CancellationToken cancellationToken = default)
    {
        var rows = DeviceImport.Parse(format, content, MaxImportRows);
        await RequireProductAsync(productId, cancellationToken);

        var errors = new List<DeviceImportError>();
        var valid = new List<DeviceImportRow>();
        var seen = new Dictionary<string, int>(StringComparer.Ordinal);
        foreach (var row in rows)
        {
            if (row.Error is not null || row.Id is null)
            {
                errors.Add(new DeviceImportError(row.Position, row.Id, row.Error ?? "The device id is missing."));
            }
            else if (!DeviceIds.IsValid(row.Id))
            {
                errors.Add(new DeviceImportError(row.Position, row.Id, DeviceIds.Rule));
            }
            else if (seen.TryGetValue(row.Id, out var first))
            {
                errors.Add(new DeviceImportError(row.Position, row.Id, $"Duplicate of {DeviceImport.Describe(format, first)}."));
            }
            else
            {
                seen[row.Id] = row.Position;
                if (await devices.GetAsync(row.Id, cancellationToken) is not null)
                {
                    errors.Add(new DeviceImportError(row.Position, row.Id, $"Device {row.Id} already exists."));
                }
                else
                {
                    valid.Add(row);
                }
            }
        }

        var created = new List<ImportedDevice>();
        foreach (var row in valid)
        {
            var token = Tokens.New();
            try
            {
                await devices.CreateAsync(NewDevice(row.Id!, productId, token), cancellationToken);
                created.Add(new ImportedDevice(row.Position, row.Id!, token));
            }
            catch (EntityExistsException)
            {
                errors.Add(new DeviceImportError(row.Position, row.Id, $"Device {row.Id} already exists."));
            }
        }
        log.LogInformation("Imported {Created} devices for {ProductId}; {Rejected} rows rejected", created.Count, productId, errors.Count);
        return new DeviceImportReport(format, created, errors.OrderBy(e => e.Position).ToList());
    }

    public async Task<Device> GetAsync(string deviceId, CancellationToken cancellationToken = default) =>
        await devices.GetAsync(deviceId, cancellationToken) ?? throw NotFound(deviceId);

    public async Task<ResultPage<Device>> ListAsync(
        string productId, DeviceState? state, int pageSize, string? continuationToken, CancellationToken cancellationToken = default)
    {
        await RequireProductAsync(productId, cancellationToken);
        return await devices.ListByProductAsync(productId, pageSize, continuationToken, state, cancellationToken);
    }

    public Task<Device> ClaimAsync(string deviceId, string accountId, CancellationToken cancellationToken = default) =>
        claims.ClaimAsync(deviceId, accountId, cancellationToken);

    public Task<Device> RetryAsync(string deviceId, CancellationToken cancellationToken = default) =>
        claims.RetryAsync(deviceId, cancellationToken);

    public async Task<Device> ReleaseAsync(string deviceId, CancellationToken cancellationToken = default)
    {
        var device = await StartReleasingAsync(deviceId, cancellationToken);
        if (device.State == DeviceState.Released)
        {
            return device;
        }
        await RemoveFromIotAsync(device, cancellationToken);
        device = await ChangeAsync(deviceId, d =>
        {
            if (d.State != DeviceState.Releasing)
            {
                return false;
            }
            d.MoveTo(DeviceState.Released);
            d.AccountId = null;
            d.ThingName = null;
            d.CertificateId = null;
            d.CertificateArn = null;
            d.CertificatePem = null;
            d.CertificateFromCsr = false;
            d.PreviousCertificateId = null;
            d.PreviousCertificateArn = null;
            d.RetiredCertificateId = null;
            d.RetiredCertificateDeleteAfter = null;
            d.EncryptedPrivateKey = null;
            d.KeyPurgeAfter = null;
            d.PendingCsr = null;
            d.ProvisionRequested = null;
            d.FailureReason = null;
            return true;
        }, cancellationToken);
        log.LogInformation("Released {DeviceId}", device.Id);
        return device;
    }

    public async Task<DeviceWithToken> RotateTokenAsync(string deviceId, CancellationToken cancellationToken = default)
    {
        var device = await GetAsync(deviceId, cancellationToken);
        var token = Tokens.New();
        device = await devices.ReplaceTokenAsync(device, Tokens.Hash(token), cancellationToken);
        log.LogInformation("Rotated the token of device {DeviceId}", device.Id);
        return new DeviceWithToken(device, token);
    }

    public async Task DeleteAsync(string deviceId, CancellationToken cancellationToken = default)
    {
        var device = await StartReleasingAsync(deviceId, cancellationToken);
        await RemoveFromIotAsync(device, cancellationToken);
        for (var attempt = 1; ; attempt++)
        {
            try
            {
                await devices.DeleteAsync(device, cancellationToken);
                break;
            }
            catch (ConcurrencyException) when (attempt < MaxAttempts)
            {
                // A check-in wrote meanwhile; the device is still Releasing, so delete what is there now.
                device = await GetAsync(deviceId, cancellationToken);
            }
        }
        log.LogInformation("Deleted device {DeviceId}", device.Id);
    }

    /// <summary>How often a change is tried again when another writer (a check-in, the pipeline) got in between.</summary>
    private const int MaxAttempts = 10;

    /// <summary>
    /// Moves the device to Releasing before anything in AWS is touched, so that no getCerts, re-issue or provisioning run can
    /// hand out or create a certificate meanwhile; a device Released already (or being released) is returned as it is.
    /// </summary>
    private Task<Device> StartReleasingAsync(string deviceId, CancellationToken cancellationToken) =>
        ChangeAsync(deviceId, d =>
        {
            if (d.State is DeviceState.Releasing or DeviceState.Released)
            {
                return false;
            }
            d.MoveTo(DeviceState.Releasing);
            return true;
        }, cancellationToken);

    /// <summary>Reads the device, applies <paramref name="change"/> (false: nothing to write) and writes it, reading again on conflict.</summary>
    private async Task<Device> ChangeAsync(string deviceId, Func<Device, bool> change, CancellationToken cancellationToken)
    {
        for (var attempt = 1; ; attempt++)
        {
            var device = await GetAsync(deviceId, cancellationToken);
            if (!change(device))
            {
                return device;
            }
            try
            {
                return await devices.UpdateAsync(device, cancellationToken);
            }
            catch (ConcurrencyException) when (attempt < MaxAttempts)
            {
            }
        }
    }

    // Every step tolerates what is already gone, so a release that died half-way can simply be repeated.
    private async Task RemoveFromIotAsync(Device device, CancellationToken cancellationToken)
    {
        var hasCertificate = device.CertificateArn is not null || device.PreviousCertificateArn is not null;
        // Provisioning may have created the thing before it recorded anything but the owner account.
        var mayHaveThing = device.ThingName is not null || device.AccountId is not null;
        if (!hasCertificate && !mayHaveThing)
        {
            return;
        }
        var thingName = device.ThingName ?? device.Id;
        if (hasCertificate)
        {
            // First, while the agent is still connected with its certificate.
            var message = JsonSerializer.SerializeToUtf8Bytes(new { id = device.Id }, JsonSerializerOptions.Web);
            await iot.PublishAsync(ReleaseTopic(device.Id), message, qos: 1, cancellationToken: cancellationToken);
        }
        var product = await products.GetAsync(device.ProductId, cancellationToken);
        var policyName = product?.PolicyName ?? iotOptions.Value.PolicyName;
        foreach (var (id, arn) in new[] { (device.CertificateId, device.CertificateArn), (device.PreviousCertificateId, device.PreviousCertificateArn) })
        {
            if (id is null || arn is null)
            {
                continue;
            }
            await IgnoreNotFoundAsync(() => iot.UpdateCertificateAsync(id, IotCertificateStatus.Inactive, cancellationToken));
            await IgnoreNotFoundAsync(() => iot.DetachPolicyAsync(policyName, arn, cancellationToken));
            await IgnoreNotFoundAsync(() => iot.DetachThingPrincipalAsync(thingName, arn, cancellationToken));
            await IgnoreNotFoundAsync(() => iot.DeleteCertificateAsync(id, forceDelete: true, cancellationToken: cancellationToken));
            log.LogInformation("Deleted certificate {CertificateId} of {DeviceId}", id, device.Id);
        }
        if (device.RetiredCertificateId is { } retired)
        {
            await IgnoreNotFoundAsync(() => iot.DeleteCertificateAsync(retired, forceDelete: true, cancellationToken: cancellationToken));
        }
        await IgnoreNotFoundAsync(() => iot.DeleteThingAsync(thingName, cancellationToken));
    }

    /// <summary>The MQTT topic on which the Ioto agent learns that it must provision again.</summary>
    public static string ReleaseTopic(string deviceId) => $"ioto/device/{deviceId}/provision/release";

    private async Task RequireProductAsync(string productId, CancellationToken cancellationToken)
    {
        if (await products.GetAsync(productId, cancellationToken) is null)
        {
            throw ProductAdmin.NotFound(productId);
        }
    }

    private Device NewDevice(string id, string productId, string token) => new()
    {
        Id = id,
        ProductId = productId,
        TokenHash = Tokens.Hash(token),
        Created = clock.GetUtcNow(),
    };

    private static EntityNotFoundException NotFound(string deviceId) => new($"Device {deviceId} does not exist.");

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
}
