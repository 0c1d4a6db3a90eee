using System.Text.Json;
using Provision.Core.Releases;

namespace Provision.Tests.Releases;

/// <summary>Builds device facts and releases for the release tests.</summary>
internal static class Facts
{
    public static DeviceFacts Device(string? version = "1.0.0", bool test = false, string properties = "{}", string id = "device-1")
    {
        using var document = JsonDocument.Parse(properties);
        var values = document.RootElement.EnumerateObject().ToDictionary(p => p.Name, p => p.Value.Clone());
        return new DeviceFacts(id, version, test, values);
    }

    public static Release Release(string version, string? policy = null, bool testOnly = false, bool enabled = true, int rollout = 100, string? id = null) => new()
    {
        Id = id ?? $"r-{version}",
        ProductId = "product-1",
        Version = version,
        Url = $"https://updates.example.com/{version}.bin",
        Checksum = new string('a', 64),
        Policy = policy,
        TestOnly = testOnly,
        Enabled = enabled,
        Rollout = rollout,
        ETag = "etag-1",
    };
}
