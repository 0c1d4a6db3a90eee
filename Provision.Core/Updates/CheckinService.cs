using System.ComponentModel.DataAnnotations;
using System.Text.Json;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Provision.Core.Devices;
using Provision.Core.Products;
using Provision.Core.Releases;
using Provision.Core.Security;

namespace Provision.Core.Updates;

/// <summary>What a device reports at check-in: its product (optional), test flag, version and other properties.</summary>
public sealed record CheckinRequest(string? ProductId, bool Test, string? Version, IReadOnlyDictionary<string, JsonElement> Properties);

/// <summary>The update offered to a device.</summary>
public sealed record UpdateOffer(string ReleaseId, string Version, string Url, string Checksum);

/// <summary>How check-ins are recorded (section "Checkin").</summary>
public sealed class CheckinOptions
{
    public const string Section = "Checkin";

    /// <summary>
    /// A check-in that changes nothing but the check-in time is not written while the stored time is younger than this:
    /// the registry's last check-in is then accurate to this interval. Zero records every check-in.
    /// </summary>
    [Range(typeof(TimeSpan), "00:00:00", "1.00:00:00")]
    public TimeSpan WriteInterval { get; set; } = TimeSpan.FromMinutes(15);
}

public interface ICheckinService
{
    /// <summary>Records the check-in and returns the update that applies to the device, if any.</summary>
    Task<UpdateOffer?> CheckinAsync(Device device, CheckinRequest request, CancellationToken cancellationToken = default);

    /// <summary>Records whether the device applied the update it was offered.</summary>
    Task ReportAsync(Device device, string releaseId, bool success, CancellationToken cancellationToken = default);
}

/// <summary>
/// Check-in: one device read (done by authentication), release data from the in-memory catalog, and a registry
/// write only when something changed or the stored check-in time is older than <see cref="CheckinOptions.WriteInterval"/>;
/// that write merges only the changed properties. An update offered to a device for the first time is counted in the release's reports, within the release's update limits.
/// </summary>
public sealed class CheckinService(
    IDeviceStore devices,
    IReleaseStore releases,
    ReleaseSelector selector,
    IUpdateReportStore reports,
    IOptions<CheckinOptions> options,
    IProductStore products,
    TimeProvider clock,
    ILogger<CheckinService> log) : ICheckinService
{
    public const int MaxProperties = 64;
    public const int MaxPropertyNameLength = 64;
    public const int MaxPropertiesBytes = 8 * 1024;

    public async Task<UpdateOffer?> CheckinAsync(Device device, CheckinRequest request, CancellationToken cancellationToken = default)
    {
        if (request.ProductId is not null && request.ProductId != device.ProductId && !await IsProductTokenAsync(device.ProductId, request.ProductId, cancellationToken))
        {
            // Never echoed: the value may be a token.
            throw new ValidationException($"Device {device.Id} belongs to product {device.ProductId}: \"product\" names another product.");
        }
        var reported = request.Properties.Count > 0 ? Serialize(request.Properties) : null;
        var properties = request.Properties.Count > 0 ? request.Properties : Deserialize(device.Properties);
        var version = request.Version ?? device.Version;

        var release = await selector.SelectAsync(device.ProductId, new DeviceFacts(device.Id, version, request.Test, properties), cancellationToken);
        var admission = release is not null && device.OfferedRelease != release.Id
            ? await reports.AdmitOfferAsync(release, device.Id, cancellationToken)
            : OfferAdmission.AlreadyCounted;
        if (release is not null && admission == OfferAdmission.LimitReached)
        {
            log.LogInformation("Release {ReleaseId} not offered to {DeviceId}: its update limit is reached", release.Id, device.Id);
            release = null;
        }

        var changed = Changes(device, version, reported, release?.Id);
        if (changed.Count > 0)
        {
            await RecordAsync(device, changed, version, reported, release?.Id, cancellationToken);
        }

        if (release is null)
        {
            return null;
        }
        if (admission == OfferAdmission.Counted)
        {
            log.LogInformation("Offered release {ReleaseId} ({Version}) to {DeviceId}", release.Id, release.Version, device.Id);
        }
        return new UpdateOffer(release.Id, release.Version, release.Url, release.Checksum);
    }

    /// <summary>The Ioto agent sends its device.json5, whose <c>product</c> is the product token.</summary>
    private async Task<bool> IsProductTokenAsync(string productId, string value, CancellationToken cancellationToken) =>
        await products.GetAsync(productId, cancellationToken) is { } product && Tokens.Matches(value, product.TokenHash);

    public async Task ReportAsync(Device device, string releaseId, bool success, CancellationToken cancellationToken = default)
    {
        var release = await releases.GetAsync(device.ProductId, releaseId, cancellationToken)
            ?? throw new EntityNotFoundException($"Release {releaseId} does not exist for product {device.ProductId}.");
        await reports.RecordOutcomeAsync(release.Id, device.Id, success, cancellationToken);
        log.LogInformation("{DeviceId} reported {Outcome} for release {ReleaseId}", device.Id, success ? "success" : "failure", release.Id);
    }

    /// <summary>The device properties this check-in changes; none when only the check-in time moved and the stored one is recent.</summary>
    private List<string> Changes(Device device, string? version, string? reported, string? releaseId)
    {
        var changed = new List<string>(4);
        if (version != device.Version)
        {
            changed.Add(nameof(Device.Version));
        }
        if (reported is not null && reported != device.Properties)
        {
            changed.Add(nameof(Device.Properties));
        }
        if (releaseId is not null && releaseId != device.OfferedRelease)
        {
            changed.Add(nameof(Device.OfferedRelease));
        }
        var now = clock.GetUtcNow();
        if (changed.Count > 0 || device.LastCheckin is not { } last || now - last >= options.Value.WriteInterval || last > now)
        {
            changed.Add(nameof(Device.LastCheckin));
        }
        return changed;
    }

    /// <summary>Merges the changed properties, unless another request changed the device meanwhile.</summary>
    private async Task RecordAsync(
        Device device, List<string> changed, string? version, string? reported, string? releaseId, CancellationToken cancellationToken)
    {
        device.LastCheckin = clock.GetUtcNow();
        device.Version = version;
        device.Properties = reported ?? device.Properties;
        device.OfferedRelease = releaseId ?? device.OfferedRelease;
        try
        {
            await devices.MergeAsync(device, changed, cancellationToken);
        }
        catch (ConcurrencyException)
        {
            // Another request changed the device meanwhile; this check-in's record is not worth a second write.
            log.LogInformation("Check-in of {DeviceId} not recorded: the device changed meanwhile", device.Id);
        }
    }

    /// <summary>Stored properties are bounded in count, name length and size; a device over the bounds is told which.</summary>
    private static string Serialize(IReadOnlyDictionary<string, JsonElement> properties)
    {
        if (properties.Count > MaxProperties)
        {
            throw new ValidationException($"Too many device properties: at most {MaxProperties}.");
        }
        if (properties.Keys.FirstOrDefault(k => k.Length > MaxPropertyNameLength) is { } longName)
        {
            throw new ValidationException($"Device property name '{longName[..16]}…' is longer than {MaxPropertyNameLength} characters.");
        }
        var json = JsonSerializer.Serialize(properties);
        if (System.Text.Encoding.UTF8.GetByteCount(json) > MaxPropertiesBytes)
        {
            throw new ValidationException($"Device properties are larger than {MaxPropertiesBytes / 1024} KiB in all.");
        }
        return json;
    }

    private static IReadOnlyDictionary<string, JsonElement> Deserialize(string? json) =>
        json is null ? new Dictionary<string, JsonElement>() : JsonSerializer.Deserialize<Dictionary<string, JsonElement>>(json) ?? [];
}
