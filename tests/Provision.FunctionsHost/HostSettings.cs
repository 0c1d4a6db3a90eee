using System.Text.Json;
using System.Text.RegularExpressions;

namespace Provision.FunctionsHost;

/// <summary>
/// The app settings as the Functions host sees them: the process environment, then local.settings.json
/// <c>Values</c>, then overrides. Keys compare case-insensitively, with <c>__</c> and <c>:</c> alike.
/// </summary>
public sealed partial class HostSettings
{
    private readonly Dictionary<string, string> values = new(StringComparer.OrdinalIgnoreCase);

    /// <summary>The settings given to the worker process as environment variables (file values and overrides).</summary>
    public IReadOnlyDictionary<string, string> AppValues { get; }

    public HostSettings(string? settingsFile, IReadOnlyDictionary<string, string?>? overrides)
    {
        foreach (System.Collections.DictionaryEntry entry in Environment.GetEnvironmentVariables())
        {
            values[Normalize((string)entry.Key)] = (string?)entry.Value ?? "";
        }

        var app = new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase);
        if (settingsFile is not null)
        {
            if (!File.Exists(settingsFile))
            {
                throw new InvalidOperationException($"The settings file {settingsFile} does not exist.");
            }
            using var json = JsonDocument.Parse(File.ReadAllText(settingsFile), new JsonDocumentOptions { CommentHandling = JsonCommentHandling.Skip, AllowTrailingCommas = true });
            if (json.RootElement.TryGetProperty("Values", out var fileValues))
            {
                foreach (var property in fileValues.EnumerateObject())
                {
                    app[property.Name] = property.Value.ValueKind == JsonValueKind.String ? property.Value.GetString()! : property.Value.GetRawText();
                }
            }
        }
        foreach (var (key, value) in overrides ?? new Dictionary<string, string?>())
        {
            if (value is null)
            {
                app.Remove(key);
            }
            else
            {
                app[key] = value;
            }
        }
        foreach (var (key, value) in app)
        {
            values[Normalize(key)] = value;
        }
        AppValues = app;
    }

    /// <summary>The settings whose key starts with <paramref name="prefix"/> (with <c>:</c> as the separator).</summary>
    public IEnumerable<KeyValuePair<string, string>> StartingWith(string prefix) =>
        values.Where(entry => entry.Key.StartsWith(prefix, StringComparison.OrdinalIgnoreCase)).ToArray();

    public string? this[string key] => values.TryGetValue(Normalize(key), out var value) ? value : null;

    /// <summary>Resolves binding expressions such as <c>%Storage:ProvisionQueue%</c> as the host does.</summary>
    public string Resolve(string text) => AppSettingExpression().Replace(text, match =>
        this[match.Groups[1].Value] ?? throw new InvalidOperationException($"The binding expression '{match.Value}' names the app setting '{match.Groups[1].Value}', which is not set."));

    private static string Normalize(string key) => key.Replace("__", ":", StringComparison.Ordinal);

    [GeneratedRegex("%([^%]+)%")]
    private static partial Regex AppSettingExpression();
}
