using System.Text.Json;

namespace Provision.Seed;

/// <summary>Reads the "Values" of a local.settings.json as configuration, as the Functions host does.</summary>
public static class LocalSettings
{
    /// <summary>
    /// The settings by configuration key: <c>Section__Key</c> becomes <c>Section:Key</c>, the way the
    /// host's environment variables are read.
    /// </summary>
    public static Dictionary<string, string?> Load(string path)
    {
        if (!File.Exists(path))
        {
            throw new FileNotFoundException(
                $"{path} not found. Run from the repository root, and create it first: cp local.settings.sample.json local.settings.json", path);
        }
        using var document = JsonDocument.Parse(File.ReadAllText(path), new JsonDocumentOptions { CommentHandling = JsonCommentHandling.Skip, AllowTrailingCommas = true });
        if (!document.RootElement.TryGetProperty("Values", out var values) || values.ValueKind != JsonValueKind.Object)
        {
            throw new InvalidDataException($"{path} has no \"Values\" object.");
        }
        var settings = new Dictionary<string, string?>(StringComparer.OrdinalIgnoreCase);
        foreach (var setting in values.EnumerateObject())
        {
            settings[setting.Name.Replace("__", ":", StringComparison.Ordinal)] = setting.Value.ValueKind switch
            {
                JsonValueKind.String => setting.Value.GetString(),
                JsonValueKind.Null => null,
                _ => setting.Value.GetRawText(),
            };
        }
        return settings;
    }
}
