using System.Security.Cryptography;
using System.Text;
using Provision.Core;
using Provision.Core.Admin;
using Provision.Core.Devices;
using Provision.Core.Releases;

namespace Provision.Seed;

/// <summary>What the seed left in storage, with the tokens it issued on this run.</summary>
public sealed record SeedResult(
    ProductWithToken Product,
    DeviceWithToken Device,
    Release Release,
    bool ProductCreated,
    bool DeviceCreated,
    bool ReleaseCreated,
    bool ClaimedNow)
{
    public override string ToString() => $"SeedResult {{ Product = {Product.Product.Id}, Device = {Device.Device.Id}, Release = {Release.Version} }}";
}

/// <summary>
/// Demo data for a local run: a product, a device claimed by a demo account, and a release newer than the
/// device's version. Running it again creates nothing new; it only issues new tokens, because tokens are
/// stored as hashes and cannot be shown again.
/// </summary>
public sealed class DemoSeed(IProductAdmin products, IDeviceAdmin devices, IReleaseAdmin releases)
{
    public const string ProductId = "demo";
    public const string ProductName = "Demo product";
    public const string DeviceId = "DEMO000001";
    public const string AccountId = "demo-account";
    public const string DeviceVersion = "1.0.0";
    public const string ReleaseVersion = "1.1.0";
    public const string ReleaseUrl = "https://updates.example.com/demo/demo-1.1.0.bin";

    /// <summary>The demo image the release points at; its checksum is a real SHA-256.</summary>
    public static readonly byte[] ReleaseImage = Encoding.UTF8.GetBytes("Provision demo image 1.1.0\n");

    public static string ReleaseChecksum { get; } = Convert.ToHexStringLower(SHA256.HashData(ReleaseImage));

    public async Task<SeedResult> RunAsync(CancellationToken cancellationToken = default)
    {
        var (product, productCreated) = await ProductAsync(cancellationToken);
        var (device, deviceCreated) = await DeviceAsync(cancellationToken);
        var (release, releaseCreated) = await ReleaseAsync(cancellationToken);

        var claimedNow = false;
        if (!DeviceStates.IsClaimed(device.Device.State))
        {
            // Claiming queues the creation of the AWS IoT thing and certificate, which the running app completes.
            device = device with { Device = await devices.ClaimAsync(DeviceId, AccountId, cancellationToken) };
            claimedNow = true;
        }
        return new SeedResult(product, device, release, productCreated, deviceCreated, releaseCreated, claimedNow);
    }

    private async Task<(ProductWithToken, bool Created)> ProductAsync(CancellationToken cancellationToken)
    {
        try
        {
            await products.GetAsync(ProductId, cancellationToken);
        }
        catch (EntityNotFoundException)
        {
            return (await products.CreateAsync(new NewProduct(ProductId, ProductName), cancellationToken), true);
        }
        return (await products.RotateTokenAsync(ProductId, cancellationToken), false);
    }

    private async Task<(DeviceWithToken, bool Created)> DeviceAsync(CancellationToken cancellationToken)
    {
        try
        {
            await devices.GetAsync(DeviceId, cancellationToken);
        }
        catch (EntityNotFoundException)
        {
            return (await devices.CreateAsync(ProductId, DeviceId, cancellationToken), true);
        }
        return (await devices.RotateTokenAsync(DeviceId, cancellationToken), false);
    }

    private async Task<(Release, bool Created)> ReleaseAsync(CancellationToken cancellationToken)
    {
        var existing = await FindReleaseAsync(cancellationToken);
        if (existing is not null)
        {
            return (existing, false);
        }
        try
        {
            var created = await releases.CreateAsync(ProductId, new NewRelease(ReleaseVersion, ReleaseUrl, ReleaseChecksum), cancellationToken);
            return (created.Release, true);
        }
        catch (EntityExistsException)
        {
            // Created meanwhile by another run.
            return (await FindReleaseAsync(cancellationToken) ?? throw new InvalidOperationException($"Release {ReleaseVersion} of {ProductId} vanished."), false);
        }
    }

    private async Task<Release?> FindReleaseAsync(CancellationToken cancellationToken) =>
        (await releases.ListAsync(ProductId, cancellationToken))
            .Select(status => status.Release)
            .FirstOrDefault(release => release.SemVersion.ComparePrecedenceTo(Release.ParseVersion(ReleaseVersion)) == 0);
}
