using System.Text.Json;
using System.Text.Json.Nodes;
using Microsoft.Extensions.Logging;

namespace Provision.FunctionsHost;

/// <summary>The parts of host.json this host honours, with the real host's defaults.</summary>
public sealed record HostJson
{
    public string RoutePrefix { get; init; } = "api";
    public TimeSpan FunctionTimeout { get; init; } = TimeSpan.FromMinutes(5);
    public QueueSettings Queues { get; init; } = new();
    public IReadOnlyDictionary<string, LogLevel> LogLevels { get; init; } = new Dictionary<string, LogLevel>(StringComparer.OrdinalIgnoreCase);

    public sealed record QueueSettings
    {
        public int BatchSize { get; init; } = 16;
        public int NewBatchThreshold { get; init; } = 8;
        public TimeSpan MaxPollingInterval { get; init; } = TimeSpan.FromMinutes(1);
        public TimeSpan VisibilityTimeout { get; init; } = TimeSpan.Zero;
        public int MaxDequeueCount { get; init; } = 5;
        public bool Base64 { get; init; } = true;
    }

    /// <summary>
    /// The app's host.json, with app settings named <c>AzureFunctionsJobHost__path__to__value</c> overriding it as on the real
    /// host (e.g. <c>AzureFunctionsJobHost__extensions__queues__visibilityTimeout</c>).
    /// </summary>
    public static HostJson Load(string appDirectory, HostSettings settings)
    {
        var path = Path.Combine(appDirectory, "host.json");
        var file = File.Exists(path)
            ? JsonNode.Parse(File.ReadAllText(path), documentOptions: new JsonDocumentOptions { CommentHandling = JsonCommentHandling.Skip, AllowTrailingCommas = true })!.AsObject()
            : new JsonObject();
        foreach (var (key, value) in settings.StartingWith(OverridePrefix))
        {
            Override(file, key[OverridePrefix.Length..].Split(':'), value);
        }
        using var json = JsonDocument.Parse(file.ToJsonString());
        var root = json.RootElement;
        var result = new HostJson();
        if (Find(root, "functionTimeout") is { ValueKind: JsonValueKind.String } timeout)
        {
            result = result with { FunctionTimeout = TimeSpan.Parse(timeout.GetString()!, System.Globalization.CultureInfo.InvariantCulture) };
        }
        if (Find(root, "extensions", "http", "routePrefix") is { ValueKind: JsonValueKind.String } prefix)
        {
            result = result with { RoutePrefix = prefix.GetString()! };
        }
        if (Find(root, "extensions", "queues") is { ValueKind: JsonValueKind.Object } queues)
        {
            var defaults = new QueueSettings();
            var batchSize = Int(queues, "batchSize") ?? defaults.BatchSize;
            result = result with
            {
                Queues = new QueueSettings
                {
                    BatchSize = batchSize,
                    NewBatchThreshold = Int(queues, "newBatchThreshold") ?? batchSize / 2,
                    MaxPollingInterval = Time(queues, "maxPollingInterval") ?? defaults.MaxPollingInterval,
                    VisibilityTimeout = Time(queues, "visibilityTimeout") ?? defaults.VisibilityTimeout,
                    MaxDequeueCount = Int(queues, "maxDequeueCount") ?? defaults.MaxDequeueCount,
                    Base64 = !string.Equals(Find(queues, "messageEncoding")?.GetString(), "none", StringComparison.OrdinalIgnoreCase),
                },
            };
        }
        if (Find(root, "logging", "logLevel") is { ValueKind: JsonValueKind.Object } levels)
        {
            result = result with
            {
                LogLevels = levels.EnumerateObject().ToDictionary(
                    p => p.Name, p => Enum.Parse<LogLevel>(p.Value.GetString()!, ignoreCase: true), StringComparer.OrdinalIgnoreCase),
            };
        }
        return result;
    }

    /// <summary>The level a category logs at: the longest matching <c>logging.logLevel</c> prefix, else <c>default</c>.</summary>
    public LogLevel MinimumLevel(string category)
    {
        var match = LogLevels.Keys
            .Where(key => !key.Equals("default", StringComparison.OrdinalIgnoreCase) && category.StartsWith(key, StringComparison.OrdinalIgnoreCase))
            .MaxBy(key => key.Length);
        return match is not null ? LogLevels[match]
            : LogLevels.TryGetValue("default", out var fallback) ? fallback
            : LogLevel.Information;
    }

    private const string OverridePrefix = "AzureFunctionsJobHost:";

    private static void Override(JsonObject node, string[] path, string value)
    {
        for (var i = 0; i < path.Length - 1; i++)
        {
            var name = node.FirstOrDefault(p => p.Key.Equals(path[i], StringComparison.OrdinalIgnoreCase)).Key ?? path[i];
            if (node[name] is not JsonObject child)
            {
                node[name] = child = new JsonObject();
            }
            node = child;
        }
        var last = node.FirstOrDefault(p => p.Key.Equals(path[^1], StringComparison.OrdinalIgnoreCase)).Key ?? path[^1];
        node[last] = value;
    }

    private static JsonElement? Find(JsonElement element, params string[] path)
    {
        foreach (var name in path)
        {
            if (element.ValueKind != JsonValueKind.Object)
            {
                return null;
            }
            var property = element.EnumerateObject().FirstOrDefault(p => p.Name.Equals(name, StringComparison.OrdinalIgnoreCase));
            if (property.Value.ValueKind == JsonValueKind.Undefined)
            {
                return null;
            }
            element = property.Value;
        }
        return element;
    }

    private static int? Int(JsonElement element, string name) => Find(element, name) switch
    {
        { ValueKind: JsonValueKind.Number } number => number.GetInt32(),
        { ValueKind: JsonValueKind.String } text => int.Parse(text.GetString()!, System.Globalization.CultureInfo.InvariantCulture),
        _ => null,
    };

    private static TimeSpan? Time(JsonElement element, string name) =>
        Find(element, name) is { ValueKind: JsonValueKind.String } value ? TimeSpan.Parse(value.GetString()!, System.Globalization.CultureInfo.InvariantCulture) : null;
}
