using System.Text.Json;
using Provision.Core.Releases;

namespace Provision.MicroBench;

/// <summary>The same device as a C client sends it (every property a string) and as a typed client does.</summary>
internal static class Devices
{
    public static readonly DeviceFacts Typed = Create("""{ "pro": true, "try-beta-features": 1, "model": "T100" }""");
    public static readonly DeviceFacts Strings = Create("""{ "pro": "true", "try-beta-features": "1", "model": "T100" }""");

    private static DeviceFacts Create(string properties) =>
        new("DEV0000000001", "1.2.0", false, JsonSerializer.Deserialize<Dictionary<string, JsonElement>>(properties)!);
}
