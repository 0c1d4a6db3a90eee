using System.Text;
using Provision.Core.Devices;

namespace Provision.Seed;

/// <summary>What the seed prints: what it found or created, the new tokens, and curl commands to try them.</summary>
public static class SeedText
{
    public const string DefaultApi = "http://localhost:7071";

    public static string Format(SeedResult result, string api, string bootstrapKey)
    {
        var device = result.Device.Device;
        var release = result.Release;
        var deviceToken = Quote("Authorization: Bearer " + result.Device.Token);
        var text = new StringBuilder();
        text.AppendLine("Demo data:");
        text.AppendLine($"  product  {result.Product.Product.Id,-12} {(result.ProductCreated ? "created" : "exists")}");
        text.AppendLine($"  device   {device.Id,-12} {(result.DeviceCreated ? "created" : "exists")}; {DeviceStatus(result)}");
        text.AppendLine($"  release  {release.Version,-12} {(result.ReleaseCreated ? "created" : "exists")} (id {release.Id}, {(release.Enabled ? "enabled" : "disabled")}), {release.Url}, sha256 {release.Checksum}");
        text.AppendLine();
        text.AppendLine("New tokens (every run of the seed issues new ones; the previous ones stop working):");
        text.AppendLine($"  product token  {result.Product.Token}   (POST /device/register)");
        text.AppendLine($"  device token   {result.Device.Token}   ({device.Id})");
        text.AppendLine();
        text.AppendLine($"Try them while the app runs on {api}:");
        text.AppendLine();
        text.AppendLine($"# Check in at version {DemoSeed.DeviceVersion}: the answer offers release {release.Version}.");
        text.AppendLine($"curl -s -X POST {api}/provision/checkin -H {deviceToken} -d {Quote($$"""{"id":"{{device.Id}}","version":"{{DemoSeed.DeviceVersion}}"}""")}");
        text.AppendLine();
        text.AppendLine("# Certificate, private key and MQTT endpoint. Until the app's queue function has created the thing and");
        text.AppendLine("# certificate in AWS IoT (locally: the AWS emulator), this answers 202 {\"status\":\"provisioning\"} with");
        text.AppendLine("# Retry-After; repeat it a few seconds later.");
        text.AppendLine($"curl -s -i -X POST {api}/provision/getCerts -H {deviceToken} -d {Quote($$"""{"id":"{{device.Id}}"}""")}");
        text.AppendLine();
        text.AppendLine("# Short-lived AWS credentials (STS AssumeRole of the device role).");
        text.AppendLine($"curl -s -X POST {api}/provision/getCreds -H {deviceToken} -d {Quote($$"""{"id":"{{device.Id}}"}""")}");
        text.AppendLine();
        text.AppendLine("# Management API with the bootstrap key (Admin__BootstrapKey): the device's state and certificate.");
        text.AppendLine($"curl -s {api}/manage/devices/{device.Id} -H {Quote("Authorization: Bearer " + bootstrapKey)}");
        if (device.State == DeviceState.Failed)
        {
            text.AppendLine();
            text.AppendLine($"# Provisioning of {device.Id} failed ({device.FailureReason}). Once the cause is fixed, queue it again:");
            text.AppendLine($"curl -s -X POST {api}/manage/devices/{device.Id}/retry -H {Quote("Authorization: Bearer " + bootstrapKey)}");
        }
        return text.ToString();
    }

    private static string DeviceStatus(SeedResult result)
    {
        var device = result.Device.Device;
        if (result.ClaimedNow)
        {
            return $"claimed by {device.AccountId}; provisioning queued";
        }
        return device.AccountId is null ? $"{device.State}" : $"{device.State}, owned by {device.AccountId}";
    }

    /// <summary>A single-quoted shell word.</summary>
    public static string Quote(string value) => "'" + value.Replace("'", "'\\''", StringComparison.Ordinal) + "'";
}
