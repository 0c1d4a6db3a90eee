using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Provision.Functions.Functions;
using Provision.Tests.Infrastructure;

namespace Provision.Tests.DeviceApi;

/// <summary>
/// Rotating the key-encryption key inside a device's key delivery window, as docs/deploy.md describes it: a new
/// current key with a new id, the old one kept as the previous key. Stored private keys stay deliverable.
/// </summary>
public sealed class KeyRotationTests(AwsEmulatorFixture aws) : DeviceApiTestBase(aws)
{
    [Fact]
    public async Task GetCerts_KeyRotatedMidWindow_StillDeliversThePrivateKey()
    {
        var (id, token) = await ProvisionedDeviceAsync();
        using var rotated = Rotate();

        var answer = await HttpCall.PostAsync(rotated, ActivatorUtilities.CreateInstance<GetCertsFunction>(rotated).GetCerts, new { id }, $"Bearer {token}");

        Assert.Equal(StatusCodes.Status200OK, answer.Status);
        using var certificate = X509Certificate2.CreateFromPem(answer.String("certificate"), answer.String("key"));
        Assert.True(certificate.HasPrivateKey);
    }

    [Fact]
    public async Task Provision_AfterRotation_EncryptsWithTheNewKeyId()
    {
        using var rotated = Rotate();
        var (id, _) = await ProvisionedDeviceAsync();
        var before = (await Devices.GetAsync(id))!;

        Assert.StartsWith($"v1.{Setting("Security:KeyEncryptionKeyId")}.", before.EncryptedPrivateKey);
        var protector = rotated.GetRequiredService<Provision.Core.Security.IPrivateKeyProtector>();
        Assert.StartsWith("v1.rotated.", protector.Protect("-----BEGIN PRIVATE KEY-----", id));
        Assert.Contains("BEGIN", protector.Unprotect(before.EncryptedPrivateKey!, id));
    }

    /// <summary>A new current key; the old one becomes the previous key.</summary>
    private ServiceProvider Rotate() => InstanceWith(settings =>
    {
        settings["Security:PreviousKeyEncryptionKeyId"] = settings["Security:KeyEncryptionKeyId"];
        settings["Security:PreviousKeyEncryptionKey"] = settings["Security:KeyEncryptionKey"];
        settings["Security:KeyEncryptionKeyId"] = "rotated";
        settings["Security:KeyEncryptionKey"] = Convert.ToBase64String(RandomNumberGenerator.GetBytes(32));
    });
}
