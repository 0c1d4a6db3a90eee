using System.Text.Json;

namespace Provision.Core.Releases;

/// <summary>What a device told us at check-in: what release selection and policies look at.</summary>
/// <param name="DeviceId">The authenticated device.</param>
/// <param name="Version">The device's current version (from the request, else the registry); null when unknown.</param>
/// <param name="Test">The device asked for test-only releases too.</param>
/// <param name="Properties">The other properties the device reported, visible to policies by name.</param>
public sealed record DeviceFacts(string DeviceId, string? Version, bool Test, IReadOnlyDictionary<string, JsonElement> Properties);
